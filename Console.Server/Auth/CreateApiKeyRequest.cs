namespace OpsConsole.Server.Auth;

/// <summary>Body of <c>POST /api/me/keys</c>.</summary>
/// <param name="Name">What the key is for, 1 to 100 characters.</param>
public sealed record CreateApiKeyRequest(string? Name);
