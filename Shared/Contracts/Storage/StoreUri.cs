namespace OpsConsole.Shared.Storage;

/// <summary>
/// Where a store lives, as a URI: <c>scheme:path</c> (<c>sqlite:data/state.db</c>, <c>file:/var/lake</c>),
/// <c>scheme://authority/path?key=value</c> (<c>s3://bucket/prefix?region=eu-west-1</c>), or a plain path, which
/// means the concern's default scheme. Parsing checks the shape only; each adapter checks what it needs.
/// </summary>
public sealed record StoreUri(string Scheme, string? Authority, string Path, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Parses <paramref name="value"/>; a plain path gets <paramref name="defaultScheme"/>.</summary>
    /// <exception cref="StoreUriException">The value is empty or malformed; the message says how.</exception>
    public static StoreUri Parse(string? value, string defaultScheme)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new StoreUriException("is empty.");
        }
        if (value.Any(char.IsControl))
        {
            throw new StoreUriException("contains a control character.");
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        // A scheme is a letter then letters, digits, '+', '-' or '.'; anything else before the first ':' is a path.
        var hasScheme = colon > 1 && char.IsAsciiLetter(value[0]) && value[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
        if (!hasScheme)
        {
            return new StoreUri(defaultScheme, null, value, new Dictionary<string, string>());
        }
        var scheme = value[..colon].ToLowerInvariant();
        var rest = value[(colon + 1)..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        var parameters = query < 0 ? new Dictionary<string, string>() : ParseQuery(rest[(query + 1)..]);
        if (query >= 0)
        {
            rest = rest[..query];
        }
        string? authority = null;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            authority = slash < 0 ? rest[2..] : rest[2..slash];
            rest = slash < 0 ? "" : rest[slash..];
        }
        return new StoreUri(scheme, authority, Uri.UnescapeDataString(rest), parameters);
    }

    /// <summary>
    /// The path of a store on this machine (<c>sqlite:</c>, <c>file:</c>): no host, no parameters, not empty.
    /// <c>file:///var/lake</c> and <c>file:/var/lake</c> are the same place; <c>file:lake</c> is relative.
    /// </summary>
    public string LocalPath()
    {
        if (!string.IsNullOrEmpty(Authority))
        {
            throw new StoreUriException($"names the host '{Authority}'; a {Scheme}: store is on this machine: write {Scheme}:/absolute/path or {Scheme}:relative/path.");
        }
        if (Parameters.Count > 0)
        {
            throw new StoreUriException($"has the parameter '{Parameters.Keys.First()}', which a {Scheme}: store does not take.");
        }
        if (Path.Length == 0)
        {
            throw new StoreUriException($"has no path after '{Scheme}:'.");
        }
        return Path;
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            if (key.Length == 0)
            {
                throw new StoreUriException($"has a parameter without a name ('{pair}').");
            }
            if (!parameters.TryAdd(key, equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..])))
            {
                throw new StoreUriException($"has the parameter '{key}' twice.");
            }
        }
        return parameters;
    }
}
