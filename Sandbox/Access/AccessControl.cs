using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OpsConsole.Sandbox.Api;
using OpsConsole.Sandbox.Data;
using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox.Access;

/// <summary>
/// Secret keys (<c>Authorization: Bearer sk_...</c>, or HTTP Basic with the key as user name, as Stripe accepts)
/// and OAuth2 client-credentials access tokens that expire on the Sandbox clock.
/// </summary>
public sealed class AccessControl(SandboxOptions options, SandboxClock clock)
{
    public const string TokenPrefix = "sbx_at_";

    private readonly HashSet<string> _testKeys = [.. options.TestKeyList];
    private readonly HashSet<string> _liveKeys = [.. options.LiveKeyList];
    private readonly ConcurrentDictionary<string, long> _tokens = new(StringComparer.Ordinal);

    /// <summary>The caller's credential, or a 401 in Stripe's shape.</summary>
    public Credential Authenticate(HttpRequest request)
    {
        var secret = SecretOf(request);
        if (string.IsNullOrEmpty(secret))
        {
            throw new StripeErrorException(new StripeError(401, "invalid_request_error", null,
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."));
        }
        if (_liveKeys.Contains(secret) || _testKeys.Contains(secret))
        {
            return new Credential(SandboxOptionsValidator.Mask(secret), _liveKeys.Contains(secret), null);
        }
        if (secret.StartsWith(TokenPrefix, StringComparison.Ordinal) && _tokens.TryGetValue(secret, out var expiresAt))
        {
            if (expiresAt <= clock.UnixNow)
            {
                _tokens.TryRemove(secret, out _);
                throw Expired(secret);
            }
            return new Credential(options.OAuthClientId, options.OAuthMode == "live", secret);
        }
        throw new StripeErrorException(new StripeError(401, "invalid_request_error", null,
            $"Invalid API Key provided: {SandboxOptionsValidator.Mask(secret)}"));
    }

    /// <summary>Ends a token now (the token-expiry fault): the request gets the 401 an expired token gets.</summary>
    public StripeErrorException Expire(string token)
    {
        _tokens.TryRemove(token, out _);
        return Expired(token);
    }

    /// <summary>Ends every issued token (admin).</summary>
    public int ExpireAll()
    {
        var count = _tokens.Count;
        _tokens.Clear();
        return count;
    }

    /// <summary>
    /// <c>POST /oauth/token</c> with <c>grant_type=client_credentials</c>; client credentials by HTTP Basic or form
    /// fields. Answers as RFC 6749 section 5 says.
    /// </summary>
    public async Task<IResult> IssueTokenAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return OAuthError(400, "invalid_request", "Send application/x-www-form-urlencoded with grant_type=client_credentials.");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync();
        }
        catch (InvalidDataException)
        {
            return OAuthError(400, "invalid_request", "The form body cannot be read.");
        }
        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        string? id = form["client_id"], secret = form["client_secret"];
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) &&
            string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } encoded)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2);
                (id, secret) = (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : "");
            }
            catch (FormatException)
            {
                return OAuthError(401, "invalid_client", "Malformed Basic credentials.");
            }
        }
        if (id != options.OAuthClientId || !FixedTimeEquals(secret ?? "", options.OAuthClientSecret))
        {
            return OAuthError(401, "invalid_client", "Unknown client or wrong secret.");
        }

        var now = clock.UnixNow;
        foreach (var (issued, expiresAt) in _tokens)
        {
            if (expiresAt <= now)
            {
                _tokens.TryRemove(issued, out _);
            }
        }
        var token = TokenPrefix + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
        _tokens[token] = now + options.TokenLifetimeSeconds;
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "bearer",
            ["expires_in"] = options.TokenLifetimeSeconds,
            ["scope"] = "read_only",
        }, statusCode: 200);
    }

    private static StripeErrorException Expired(string token) =>
        new(new StripeError(401, "invalid_request_error", "api_key_expired", $"Expired API Key provided: {SandboxOptionsValidator.Mask(token)}"));

    private static IResult OAuthError(int status, string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string? SecretOf(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header))
        {
            return null;
        }
        if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return header.Parameter;
        }
        if (string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } encoded)
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2)[0];
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }
}
