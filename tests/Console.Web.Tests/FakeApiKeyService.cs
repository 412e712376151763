using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Tests;

/// <summary>An in-memory key store with the real service's rules on names.</summary>
internal sealed class FakeApiKeyService : IApiKeyService
{
    private readonly List<(string Owner, ApiKeyInfo Key)> _keys = [];
    private int _next;

    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string owner, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ApiKeyInfo>>([.. _keys.Where(k => k.Owner == owner).Select(k => k.Key).Reverse()]);

    public Task<CreatedApiKey> CreateAsync(string owner, NewApiKey request, CancellationToken cancellationToken = default)
    {
        var name = request.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidFieldException("name", "Name must be 1 to 100 characters.");
        }
        var id = (++_next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = new ApiKeyInfo(id, name.Trim(), $"opsk_{id}", DateTimeOffset.UnixEpoch, null)
        {
            Scope = request.Scope,
            ExpiresAt = request.ExpiresInDays is { } days ? DateTimeOffset.UnixEpoch.AddDays(days) : null,
        };
        _keys.Add((owner, key));
        return Task.FromResult(new CreatedApiKey(key, $"opsk_{id}_secret"));
    }

    public Task<bool> RevokeAsync(string owner, string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_keys.RemoveAll(k => k.Owner == owner && k.Key.Id == id) == 1);
}
