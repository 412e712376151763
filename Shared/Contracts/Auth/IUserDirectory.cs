namespace OpsConsole.Shared.Auth;

/// <summary>What admins can see and do about console users.</summary>
public interface IUserDirectory
{
    /// <summary>Every user, by name.</summary>
    Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Ends a lockout and clears the failed sign-in count. Returns false when there is no such user.</summary>
    Task<bool> UnlockAsync(string name, string actor, CancellationToken cancellationToken = default);
}
