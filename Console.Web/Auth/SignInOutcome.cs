namespace OpsConsole.Web.Auth;

/// <summary>The result of a sign-in attempt.</summary>
/// <param name="Succeeded">Whether the user is now signed in.</param>
/// <param name="LockedUntil">When the account is locked out, the time the lockout ends.</param>
public sealed record SignInOutcome(bool Succeeded, DateTimeOffset? LockedUntil)
{
    public static SignInOutcome Success { get; } = new(true, null);

    public static SignInOutcome Invalid { get; } = new(false, null);

    public static SignInOutcome Locked(DateTimeOffset until) => new(false, until);
}
