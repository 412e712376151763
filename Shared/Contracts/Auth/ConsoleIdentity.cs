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

    /// <summary>The caller a signed-in principal is, or null when it is not signed in with a console role.</summary>
    /// <param name="principal">The signed-in user.</param>
    /// <param name="authenticatedBy"><c>cookie</c>, <c>basic</c> or <c>api-key</c>.</param>
    public static CallerInfo? Caller(ClaimsPrincipal principal, string authenticatedBy) =>
        principal.Identity is { IsAuthenticated: true, Name: { } name } && RoleOf(principal) is { } role
            ? new CallerInfo(name, role, authenticatedBy)
            : null;
}
