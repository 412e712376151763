namespace OpsConsole.Shared.Storage;

/// <summary>
/// Opens the stores of one concern (state, lake) by URI. Each adapter registers its scheme here once; callers never
/// construct an adapter. A plain path means <see cref="DefaultScheme"/>.
/// </summary>
public sealed class StoreFactory<TStore>(string concern, string defaultScheme, IReadOnlyDictionary<string, Func<StoreUri, TStore>> adapters)
{
    public string Concern { get; } = concern;

    public string DefaultScheme { get; } = defaultScheme;

    public IEnumerable<string> Schemes => adapters.Keys.Order(StringComparer.Ordinal);

    /// <summary>Parses and checks <paramref name="uri"/> without opening anything.</summary>
    /// <exception cref="StoreUriException">Malformed, or a scheme no adapter handles.</exception>
    public StoreUri Parse(string? uri)
    {
        var parsed = StoreUri.Parse(uri, DefaultScheme);
        if (!adapters.ContainsKey(parsed.Scheme))
        {
            throw new StoreUriException($"has the scheme '{parsed.Scheme}:', which is not a {Concern} (known: {string.Join(", ", Schemes.Select(s => s + ":"))}).");
        }
        return parsed;
    }

    /// <summary>Opens the store at <paramref name="uri"/>.</summary>
    /// <exception cref="StoreUriException">The URI cannot be used.</exception>
    /// <exception cref="StoreUnavailableException">The store cannot be opened.</exception>
    public TStore Open(string? uri)
    {
        var parsed = Parse(uri);
        return adapters[parsed.Scheme](parsed);
    }
}
