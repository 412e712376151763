namespace OpsConsole.Shared.Auth;

/// <summary>Who is calling, as returned by <c>GET /api/me</c>.</summary>
/// <param name="Name">The user name.</param>
/// <param name="Role">The user's role.</param>
/// <param name="AuthenticatedBy">How the caller proved who it is: <c>cookie</c>, <c>basic</c> or <c>api-key</c>.</param>
public sealed record CallerInfo(string Name, ConsoleRole Role, string AuthenticatedBy);
