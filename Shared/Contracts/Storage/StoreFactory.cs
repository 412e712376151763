namespace OpsConsole.Shared.Storage;

/// <summary>
/// Opens the stores of one concern (state, lake) by URI. Each adapter registers its scheme here once; callers never
/// construct an adapter. A plain path means <see cref="DefaultScheme"/>.
/// </summary>
public sealed class StoreFactory<TStore>(string concern, string defaultScheme, IReadOnlyDictionary<string, StoreAdapter<TStore>> adapters)
{
    public string Concern { get; } = concern;

    public string DefaultScheme { get; } = defaultScheme;

    public IEnumerable<string> Schemes => adapters.Keys.Order(StringComparer.Ordinal);

    /// <summary>Parses and checks <paramref name="uri"/> as its adapter would, without opening or reaching anything.</summary>
    /// <exception cref="StoreUriException">Malformed, a scheme no adapter handles, or parts the adapter does not take.</exception>
    public StoreUri Parse(string? uri)
    {
        var parsed = StoreUri.Parse(uri, DefaultScheme);
        if (!adapters.TryGetValue(parsed.Scheme, out var adapter))
        {
            throw new StoreUriException($"has the scheme '{parsed.Scheme}:', which is not a {Concern} (known: {string.Join(", ", Schemes.Select(s => s + ":"))}).");
        }
        adapter.Check(parsed);
        return parsed;
    }

    /// <summary>Creates what the store at <paramref name="uri"/> needs (idempotent): its adapter's init, or opening it.</summary>
    public async Task InitAsync(string? uri, CancellationToken cancellationToken = default)
    {
        var parsed = Parse(uri);
        if (adapters[parsed.Scheme].Init is { } init)
        {
            await init(parsed, cancellationToken);
        }
        else if (adapters[parsed.Scheme].Open(parsed) is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Opens the store at <paramref name="uri"/>.</summary>
    /// <exception cref="StoreUriException">The URI cannot be used.</exception>
    /// <exception cref="StoreUnavailableException">The store cannot be opened.</exception>
    public TStore Open(string? uri)
    {
        var parsed = Parse(uri);
        return adapters[parsed.Scheme].Open(parsed);
    }
}

/// <summary>
/// One scheme's adapter: how to check a URI of it (throwing <see cref="StoreUriException"/>), how to open it, and how
/// to create what it needs once (tables), where opening does not.
/// </summary>
public sealed record StoreAdapter<TStore>(Action<StoreUri> Check, Func<StoreUri, TStore> Open, Func<StoreUri, CancellationToken, Task>? Init = null);
