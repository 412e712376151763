using System.Security.Claims;

namespace OpsConsole.Shared.Auth;

/// <summary>Reads who a signed-in principal is; the console host is the one place that builds such principals.</summary>
public static class ConsoleIdentity
{
    /// <summary>The principal's role, or null when it is not signed in or has no console role.</summary>
    public static ConsoleRole? RoleOf(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true && Enum.TryParse<ConsoleRole>(principal.FindFirst(ClaimTypes.Role)?.Value, out var role)
            ? role
            : null;
}
