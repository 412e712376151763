namespace OpsConsole.Shared.Auth;

/// <summary>Per-user API keys for automation (<c>Authorization: Bearer ...</c> on <c>/api</c>).</summary>
public interface IApiKeyService
{
    /// <summary>The owner's keys that are not revoked, newest first.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>Creates a key for <paramref name="owner"/>. Throws <see cref="Validation.InvalidFieldException"/> naming the field on bad input.</summary>
    Task<CreatedApiKey> CreateAsync(string owner, NewApiKey key, CancellationToken cancellationToken = default);

    /// <summary>Revokes one of the owner's keys. Returns false when the owner has no such key.</summary>
    Task<bool> RevokeAsync(string owner, string id, CancellationToken cancellationToken = default);
}
