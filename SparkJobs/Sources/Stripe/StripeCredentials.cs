namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>
/// How the job proves itself to the source: a secret key, or OAuth2 client credentials. Read from the
/// environment only (never from arguments, which show in process lists and run records).
/// </summary>
public sealed record StripeCredentials
{
    public const string SecretKeyVariable = "STRIPE_SECRET_KEY";
    public const string ClientIdVariable = "STRIPE_CLIENT_ID";
    public const string ClientSecretVariable = "STRIPE_CLIENT_SECRET";

    private StripeCredentials(string? secretKey, string? clientId, string? clientSecret)
    {
        SecretKey = secretKey;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string? SecretKey { get; }

    public string? ClientId { get; }

    public string? ClientSecret { get; }

    public bool IsOAuth => ClientId is not null;

    /// <summary>Live keys and OAuth clients get Stripe's live limit; <c>sk_test_</c> keys the test limit.</summary>
    public bool IsLive => IsOAuth || SecretKey!.StartsWith("sk_live_", StringComparison.Ordinal);

    public static StripeCredentials Key(string secretKey) =>
        string.IsNullOrWhiteSpace(secretKey) ? throw new ArgumentException("The secret key is empty.", nameof(secretKey)) : new(secretKey, null, null);

    public static StripeCredentials OAuth(string clientId, string clientSecret) =>
        string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(clientSecret)
            ? throw new ArgumentException("OAuth needs a client id and a client secret.", nameof(clientId))
            : new(null, clientId, clientSecret);

    /// <summary>Credentials from the environment: a secret key, else a client id and secret; an error names what is missing.</summary>
    public static StripeCredentials FromEnvironment(Func<string, string?> read)
    {
        if (read(SecretKeyVariable) is { Length: > 0 } key)
        {
            return Key(key);
        }
        if (read(ClientIdVariable) is { Length: > 0 } id)
        {
            return read(ClientSecretVariable) is { Length: > 0 } secret
                ? OAuth(id, secret)
                : throw new ArgumentException($"{ClientIdVariable} is set but {ClientSecretVariable} is not.");
        }
        throw new ArgumentException($"No source credentials: set {SecretKeyVariable}, or {ClientIdVariable} and {ClientSecretVariable}.");
    }

    /// <summary>Never the secret itself.</summary>
    public override string ToString() => IsOAuth ? $"OAuth client {ClientId}" : $"key {SecretKey![..Math.Min(8, SecretKey!.Length)]}…";
}
