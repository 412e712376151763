using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>A user row as the store keeps it.</summary>
public sealed record StoredUser(
    string Name,
    ConsoleRole Role,
    string PasswordHash,
    string SecurityStamp,
    int FailedSignIns,
    DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt)
{
    public bool IsLockedOut(DateTimeOffset now) => LockedUntil is { } until && until > now;

    public UserSummary ToSummary(DateTimeOffset now) =>
        new(Name, Role, FailedSignIns, IsLockedOut(now) ? LockedUntil : null, CreatedAt);
}
