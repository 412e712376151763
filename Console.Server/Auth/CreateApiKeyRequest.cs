using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>Body of <c>POST /api/me/keys</c>.</summary>
/// <param name="Name">What the key is for, 1 to 100 characters.</param>
/// <param name="Scope"><c>read</c> or <c>operate</c> (default).</param>
/// <param name="ExpiresInDays">1 to 365; left out, the key lives until revoked.</param>
public sealed record CreateApiKeyRequest(string? Name, ApiKeyScope? Scope = null, int? ExpiresInDays = null);
