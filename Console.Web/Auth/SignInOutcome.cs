namespace OpsConsole.Web.Auth;

/// <summary>The result of a sign-in attempt.</summary>
/// <param name="Succeeded">Whether the user is now signed in.</param>
/// <param name="LockedUntil">When the account is locked out, the time the lockout ends.</param>
/// <param name="RetryAfter">When there were too many sign-in attempts to check this one, how long to wait.</param>
public sealed record SignInOutcome(bool Succeeded, DateTimeOffset? LockedUntil, TimeSpan? RetryAfter = null)
{
    public static SignInOutcome Success { get; } = new(true, null);

    public static SignInOutcome Invalid { get; } = new(false, null);

    public static SignInOutcome Locked(DateTimeOffset until) => new(false, until);

    public static SignInOutcome Throttled(TimeSpan retryAfter) => new(false, null, retryAfter);
}
