namespace OpsConsole.Shared.Auth;

/// <summary>
/// Authorization policy names. Pages, the REST API and SignalR hubs all use these names; the policies are
/// defined once, in the console host, from <see cref="RolesFor"/>.
/// </summary>
public static class ConsolePolicies
{
    /// <summary>Any signed-in user: Viewer, Operator or Admin.</summary>
    public const string Viewer = "Viewer";

    /// <summary>Operators and admins: launch and cancel runs.</summary>
    public const string Operator = "Operator";

    /// <summary>Admins only: checkpoint reset and restore, force cancel, user management.</summary>
    public const string Admin = "Admin";

    /// <summary>Every policy, lowest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    /// <summary>The roles a policy admits: the policy's own role and every role above it.</summary>
    public static IReadOnlyList<ConsoleRole> RolesFor(string policy)
    {
        var minimum = policy switch
        {
            Viewer => ConsoleRole.Viewer,
            Operator => ConsoleRole.Operator,
            Admin => ConsoleRole.Admin,
            _ => throw new ArgumentException($"Unknown policy '{policy}'.", nameof(policy)),
        };
        return [.. Enum.GetValues<ConsoleRole>().Where(role => role >= minimum)];
    }

    /// <summary>Whether a user with <paramref name="role"/> satisfies <paramref name="policy"/>.</summary>
    public static bool Allows(string policy, ConsoleRole role) => RolesFor(policy).Contains(role);
}
