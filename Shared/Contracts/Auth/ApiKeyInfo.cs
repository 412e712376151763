namespace OpsConsole.Shared.Auth;

/// <summary>An API key as shown after creation: never the secret itself, only its first characters.</summary>
/// <param name="Id">Stable identifier, used to revoke the key.</param>
/// <param name="Name">What the owner called it (for example "nightly backfill script").</param>
/// <param name="Prefix">The first characters of the secret, enough to recognise it in a script.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="LastUsedAt">When it last authenticated a request, if ever.</param>
public sealed record ApiKeyInfo(string Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt)
{
    /// <summary>What the key may do (never more than its owner's role allows).</summary>
    public ApiKeyScope Scope { get; init; } = ApiKeyScope.Operate;

    /// <summary>When the key stops working; null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>
/// What an API key may do: <see cref="Read"/> what a viewer may, <see cref="Operate"/> what an operator may (launch
/// and cancel runs). A key never acts as an admin: administration needs the password (a session or HTTP Basic).
/// </summary>
public enum ApiKeyScope
{
    Read,
    Operate,
}

/// <summary>A key to create: its name, scope and, optionally, how many days it lives (1..365; null: until revoked).</summary>
public sealed record NewApiKey(string? Name)
{
    public const int MaxDays = 365;

    public ApiKeyScope Scope { get; init; } = ApiKeyScope.Operate;

    public int? ExpiresInDays { get; init; }

    /// <summary>The most a key of <paramref name="scope"/> may do for an owner of <paramref name="role"/>.</summary>
    public static ConsoleRole EffectiveRole(ConsoleRole role, ApiKeyScope scope)
    {
        var cap = scope == ApiKeyScope.Read ? ConsoleRole.Viewer : ConsoleRole.Operator;
        return role < cap ? role : cap;
    }
}
