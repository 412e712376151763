namespace OpsConsole.Sandbox.Access;

/// <summary>Who a request authenticated as.</summary>
/// <param name="Label">A masked key or the OAuth client id: safe to show in stats.</param>
/// <param name="Live">Live mode (<c>sk_live_</c> keys, live OAuth clients) or test mode.</param>
/// <param name="Token">The OAuth access token used, if any.</param>
public sealed record Credential(string Label, bool Live, string? Token);
