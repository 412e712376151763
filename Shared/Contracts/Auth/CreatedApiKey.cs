namespace OpsConsole.Shared.Auth;

/// <summary>A newly created API key. <see cref="Secret"/> is shown once and never stored in clear.</summary>
/// <param name="Key">The key's description.</param>
/// <param name="Secret">The bearer token to send as <c>Authorization: Bearer ...</c>.</param>
public sealed record CreatedApiKey(ApiKeyInfo Key, string Secret);
