namespace OpsConsole.Shared.Auth;

/// <summary>An API key as shown after creation: never the secret itself, only its first characters.</summary>
/// <param name="Id">Stable identifier, used to revoke the key.</param>
/// <param name="Name">What the owner called it (for example "nightly backfill script").</param>
/// <param name="Prefix">The first characters of the secret, enough to recognise it in a script.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="LastUsedAt">When it last authenticated a request, if ever.</param>
public sealed record ApiKeyInfo(string Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
