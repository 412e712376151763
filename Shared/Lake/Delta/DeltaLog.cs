using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsConsole.Shared.Lake.Storage;

namespace OpsConsole.Shared.Lake.Delta;

/// <summary>
/// A table's commit log in the Delta Lake protocol's format (<c>_delta_log/NNNNNNNNNNNNNNNNNNNN.json</c>, one
/// action per line), so Spark, Trino, Athena and DuckDB can read the table. A commit is a put-if-absent of the next
/// version's file: two writers racing for one version cannot both win, and a run's files become visible at once.
/// </summary>
public sealed class DeltaLog(ILakeStorage storage, string tablePath)
{
    public const string Folder = "_delta_log";

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public string TablePath { get; } = tablePath.TrimEnd('/');

    /// <summary>The state after the newest commit, replaying every commit file in order.</summary>
    public async Task<DeltaSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken = default)
    {
        var versions = await VersionsAsync(cancellationToken);
        DeltaProtocol? protocol = null;
        DeltaMetadata? metadata = null;
        var files = new Dictionary<string, DeltaAdd>(StringComparer.Ordinal);
        var transactions = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i] != i)
            {
                throw new InvalidDataException($"{TablePath}: commit {i} is missing from {Folder} (found {versions[i]}).");
            }
            foreach (var action in await ReadCommitAsync(i, cancellationToken))
            {
                protocol = action.Protocol ?? protocol;
                metadata = action.MetaData ?? metadata;
                if (action.Add is { } add)
                {
                    files[add.Path] = add;
                }
                if (action.Remove is { } remove)
                {
                    files.Remove(remove.Path);
                }
                if (action.Txn is { } txn)
                {
                    transactions[txn.AppId] = txn.Version;
                }
            }
        }
        return new DeltaSnapshot(versions.Count - 1, protocol, metadata, files, transactions);
    }

    /// <summary>The actions of one commit.</summary>
    public async Task<IReadOnlyList<DeltaAction>> ReadCommitAsync(long version, CancellationToken cancellationToken = default)
    {
        var bytes = await storage.ReadAsync(CommitPath(version), cancellationToken)
            ?? throw new InvalidDataException($"{TablePath}: commit {version} does not exist.");
        var actions = new List<DeltaAction>();
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            actions.Add(JsonSerializer.Deserialize<DeltaAction>(line, Json)
                ?? throw new InvalidDataException($"{TablePath}: commit {version} has an empty action."));
        }
        return actions;
    }

    /// <summary>
    /// Writes <paramref name="actions"/> as version <paramref name="version"/> (the snapshot's version + 1) with a
    /// commitInfo line. False when another writer committed that version first: re-read and decide again.
    /// </summary>
    public async Task<bool> TryCommitAsync(long version, IReadOnlyList<DeltaAction> actions, string operation, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (var action in actions)
        {
            text.Append(JsonSerializer.Serialize(action, Json)).Append('\n');
        }
        var info = new DeltaAction
        {
            CommitInfo = new Dictionary<string, object?>
            {
                ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                ["operation"] = operation,
                ["engineInfo"] = "OpsConsole SparkJobs",
                ["isBlindAppend"] = actions.All(a => a.Remove is null),
            },
        };
        text.Append(JsonSerializer.Serialize(info, Json)).Append('\n');
        return await storage.PutIfAbsentAsync(CommitPath(version), Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }

    public string CommitPath(long version) => $"{TablePath}/{Folder}/{version.ToString("D20", CultureInfo.InvariantCulture)}.json";

    private async Task<List<long>> VersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new List<long>();
        foreach (var path in await storage.ListAsync($"{TablePath}/{Folder}", cancellationToken))
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (name.Length == 25 && name.EndsWith(".json", StringComparison.Ordinal) &&
                long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                versions.Add(version);
            }
        }
        versions.Sort();
        return versions;
    }
}
