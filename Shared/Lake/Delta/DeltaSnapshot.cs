namespace OpsConsole.Shared.Lake.Delta;

/// <summary>A table's state at one commit version: its metadata, live files and the transactions recorded.</summary>
public sealed record DeltaSnapshot(
    long Version,
    DeltaProtocol? Protocol,
    DeltaMetadata? Metadata,
    IReadOnlyDictionary<string, DeltaAdd> Files,
    IReadOnlyDictionary<string, long> Transactions)
{
    /// <summary>Before the first commit.</summary>
    public static DeltaSnapshot Empty { get; } = new(-1, null, null, new Dictionary<string, DeltaAdd>(), new Dictionary<string, long>());
}
