namespace OpsConsole.Shared.Auth;

/// <summary>A console user as admins see it (no password material).</summary>
/// <param name="Name">The user name.</param>
/// <param name="Role">The user's role.</param>
/// <param name="FailedSignIns">Failed sign-ins since the last success or lockout.</param>
/// <param name="LockedUntil">When a lockout ends, if the user is locked out now.</param>
/// <param name="CreatedAt">When the user was created.</param>
public sealed record UserSummary(string Name, ConsoleRole Role, int FailedSignIns, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);
