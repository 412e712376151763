using System.Text.RegularExpressions;

namespace OpsConsole.Server.Logs;

/// <summary>
/// Removes secrets from a line before it is stored or shown anywhere: Stripe keys (<c>sk_</c>, <c>rk_</c>, <c>pk_</c>
/// live/test), console API keys (<c>opsk_</c>), <c>Bearer</c> and <c>Basic</c> credentials, <c>client_secret</c> /
/// <c>password</c> / <c>access_token</c> values, the password of a URL's userinfo (<c>https://user:pw@host</c>) and
/// of <c>curl -u user:pw</c>, and every configured secret verbatim or base64-encoded (alone, or as a Basic pair
/// <c>secret:</c>, the way Stripe takes its key).
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "[REDACTED]";

    private readonly string[] _literals;

    /// <param name="literals">Secrets known to the console (the source's key, OAuth client secret): replaced wherever they occur.</param>
    public Redactor(IEnumerable<string?> literals) =>
        _literals = [.. literals.Where(secret => !string.IsNullOrEmpty(secret) && secret.Length >= 6)
            .SelectMany(secret => new[] { secret!, Base64(secret!), Base64(secret + ":") })
            .Distinct().OrderByDescending(secret => secret.Length)];

    /// <summary>A secret's base64 form without the padding, so it is found inside longer encodings too.</summary>
    private static string Base64(string value) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value)).TrimEnd('=');

    public string Redact(string line)
    {
        foreach (var literal in _literals)
        {
            if (line.Contains(literal, StringComparison.Ordinal))
            {
                line = line.Replace(literal, Mask, StringComparison.Ordinal);
            }
        }
        // Cheap pre-checks keep the regular expressions off the vast majority of lines, which hold nothing secret.
        if (line.Contains("k_", StringComparison.Ordinal))
        {
            line = KeyPattern().Replace(line, Mask);
        }
        if (line.Contains("Bearer", StringComparison.OrdinalIgnoreCase) || line.Contains("Basic", StringComparison.OrdinalIgnoreCase))
        {
            line = AuthorizationPattern().Replace(line, match => match.Groups[1].Value + Mask);
        }
        if (line.Contains("secret", StringComparison.OrdinalIgnoreCase) || line.Contains("password", StringComparison.OrdinalIgnoreCase)
            || line.Contains("token", StringComparison.OrdinalIgnoreCase))
        {
            line = NamedSecretPattern().Replace(line, match => match.Groups[1].Value + Mask);
        }
        if (line.Contains("://", StringComparison.Ordinal) && line.Contains('@', StringComparison.Ordinal))
        {
            line = UrlUserInfoPattern().Replace(line, match => match.Groups[1].Value + Mask + "@");
        }
        if (line.Contains("-u", StringComparison.Ordinal) || line.Contains("--user", StringComparison.Ordinal))
        {
            line = UserOptionPattern().Replace(line, match => match.Groups[1].Value + Mask);
        }
        return line;
    }

    [GeneratedRegex(@"(\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+@")]
    private static partial Regex UrlUserInfoPattern();

    [GeneratedRegex(@"((?:^|\s)(?:-u|--user)[\s=]+[""']?[^\s:""']+:)[^\s""']+")]
    private static partial Regex UserOptionPattern();

    [GeneratedRegex(@"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]+|\bopsk_[A-Za-z0-9_\-]+")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\b((?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/=]{6,}", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"((?:client_secret|password|access_token|refresh_token|api_key)[""']?\s*[:=]\s*[""']?)[^\s""'&,}]+", RegexOptions.IgnoreCase)]
    private static partial Regex NamedSecretPattern();
}
