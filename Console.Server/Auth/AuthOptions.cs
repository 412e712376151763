namespace OpsConsole.Server.Auth;

/// <summary>Sign-in, lockout and session settings. Section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Failed sign-ins (UI or HTTP Basic) in a row that lock a user out.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long a lockout lasts, in minutes.</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Password checks a second one client address may cause (sign-in page and HTTP Basic), after a burst of <see cref="SignInBurstPerAddress"/>.</summary>
    public int SignInsPerSecondPerAddress { get; set; } = 2;

    public int SignInBurstPerAddress { get; set; } = 10;

    /// <summary>Password checks a second for the whole console, after a burst of <see cref="SignInBurst"/>; beyond either limit: 429.</summary>
    public int SignInsPerSecond { get; set; } = 10;

    public int SignInBurst { get; set; } = 20;

    /// <summary>Idle time after which a browser session ends, in minutes (sliding).</summary>
    public int SessionMinutes { get; set; } = 480;

    /// <summary>Create the demo users admin, operator and viewer when they do not exist.</summary>
    public bool DemoUsers { get; set; } = true;

    /// <summary>How often an open UI session re-checks that its user still exists with the same role and password, in seconds.</summary>
    public int RevalidateSeconds { get; set; } = 60;
}
