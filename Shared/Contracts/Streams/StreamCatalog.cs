namespace OpsConsole.Shared.Streams;

/// <summary>A stream the product ingests: its source, its name and the field that identifies a record.</summary>
public sealed record StreamDefinition(string Source, string Name, string Key)
{
    public override string ToString() => $"{Source}/{Name}";
}

/// <summary>
/// Every stream the job ingests and the console, the UI and the rules know, in one place, with the window defaults
/// every run shares.
/// </summary>
public static class StreamCatalog
{
    /// <summary>The source the product ingests today (and the default of every source field).</summary>
    public const string Stripe = "stripe";

    /// <summary>An incremental run starts this long before the checkpoint, to catch records that arrived late.</summary>
    public const long LookbackSeconds = 600;

    /// <summary>A run stops this far behind now, so records still being written are left for the next run.</summary>
    public const long SafetyLagSeconds = 60;

    public static IReadOnlyList<StreamDefinition> All { get; } =
    [
        new(Stripe, "charges", "id"),
        new(Stripe, "customers", "id"),
        new(Stripe, "refunds", "id"),
    ];

    /// <summary>The names of <paramref name="source"/>'s streams, in catalog order.</summary>
    public static IReadOnlyList<string> Names(string source = Stripe) => [.. All.Where(s => s.Source == source).Select(s => s.Name)];

    /// <summary>"charges, customers, refunds": for messages that list the streams.</summary>
    public static string NameList(string source = Stripe) => string.Join(", ", Names(source));

    /// <summary>The stream <paramref name="name"/> of <paramref name="source"/> (exact, lower-case names), or null.</summary>
    public static StreamDefinition? Find(string source, string name) =>
        All.FirstOrDefault(s => s.Source == source && s.Name == name);

    /// <summary>Whether <paramref name="source"/> is a source of the catalog.</summary>
    public static bool IsSource(string source) => All.Any(s => s.Source == source);
}
