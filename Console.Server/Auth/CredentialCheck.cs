namespace OpsConsole.Server.Auth;

/// <summary>The result of <see cref="CredentialValidator.CheckAsync"/>.</summary>
public sealed record CredentialCheck(StoredUser? User, DateTimeOffset? LockedUntil, TimeSpan? RetryAfter = null)
{
    public bool Succeeded => User is not null && LockedUntil is null;

    public static CredentialCheck Invalid { get; } = new(null, null);

    public static CredentialCheck Success(StoredUser user) => new(user, null);

    public static CredentialCheck Locked(StoredUser user, DateTimeOffset until) => new(user, until);

    /// <summary>Too many password checks right now (<see cref="SignInThrottle"/>): not checked; try again after <paramref name="retryAfter"/>.</summary>
    public static CredentialCheck Throttled(TimeSpan retryAfter) => new(null, null, retryAfter);
}
