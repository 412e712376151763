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

    /// <summary>A checkpoint is written after every commit whose version is a multiple of this.</summary>
    public const int CheckpointInterval = 10;

    /// <summary>The state after the newest commit (see <see cref="ReadSnapshotAsync(long?, CancellationToken)"/>).</summary>
    public async Task<DeltaSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken = default) => await ReadSnapshotAsync(null, cancellationToken);

    /// <summary>
    /// The state after the newest commit, or after <paramref name="version"/>: the newest checkpoint at or before it,
    /// then the commits after the checkpoint in order; with no checkpoint, every commit from the first.
    /// </summary>
    public async Task<DeltaSnapshot> ReadSnapshotAsync(long? version, CancellationToken cancellationToken = default)
    {
        var (commits, checkpoints) = await ListAsync(cancellationToken);
        var last = version ?? (commits.Count > 0 ? commits[^1] : -1);
        if (version is not null && commits.Count > 0 && version < commits[0] && version >= 0)
        {
            throw new InvalidDataException($"{TablePath}: version {version} is older than the log keeps: log retention removed the commits before {commits[0]}.");
        }
        if (version is not null && !commits.Contains(version.Value) && !checkpoints.Contains(version.Value))
        {
            throw new InvalidDataException($"{TablePath}: there is no version {version} (the newest is {(commits.Count > 0 ? commits[^1] : -1)}).");
        }
        var state = new Replay();
        var start = 0L;
        // The newest checkpoint at or before the version; one that cannot be read (damaged, or another engine's layout)
        // is passed over for the one before it, and with none, every commit is replayed.
        foreach (var checkpoint in checkpoints.Where(c => c <= last).OrderDescending())
        {
            if (await TryReadCheckpointAsync(checkpoint, cancellationToken) is { } actions)
            {
                state.Apply(actions);
                start = checkpoint + 1;
                break;
            }
            UnreadableCheckpoints++;
        }
        var expected = start;
        foreach (var commit in commits.Where(c => c >= start && c <= last))
        {
            if (commit != expected)
            {
                throw new InvalidDataException($"{TablePath}: commit {expected} is missing from {Folder} (found {commit}).");
            }
            state.Apply(await ReadCommitAsync(commit, cancellationToken));
            expected++;
        }
        if (expected <= last)
        {
            throw new InvalidDataException($"{TablePath}: commit {expected} is missing from {Folder}.");
        }
        return new DeltaSnapshot(last, state.Protocol, state.Metadata, state.Files, state.Transactions);
    }

    /// <summary>Whether the checkpoint of <paramref name="version"/> exists and can be read.</summary>
    public async Task<bool> CanReadCheckpointAsync(long version, CancellationToken cancellationToken = default) =>
        await TryReadCheckpointAsync(version, cancellationToken) is not null;

    /// <summary>Checkpoints this log object passed over because they could not be read.</summary>
    public int UnreadableCheckpoints { get; private set; }

    private async Task<List<DeltaAction>?> TryReadCheckpointAsync(long version, CancellationToken cancellationToken)
    {
        try
        {
            return await storage.ReadAsync(CheckpointPath(version), cancellationToken) is { } bytes ? await DeltaCheckpoint.ReadAsync(bytes, cancellationToken) : null;
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or OutOfMemoryException or OpsConsole.Shared.Storage.StoreUnavailableException))
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the checkpoint of <paramref name="version"/> and points <c>_last_checkpoint</c> at it (unless a newer
    /// checkpoint is there already). Each file is written whole and atomically; a crash between them leaves a
    /// checkpoint that readers find by listing.
    /// </summary>
    public async Task WriteCheckpointAsync(long version, CancellationToken cancellationToken = default)
    {
        var snapshot = await ReadSnapshotAsync(version, cancellationToken);
        await storage.WriteAsync(CheckpointPath(version), await DeltaCheckpoint.WriteAsync(snapshot, cancellationToken), cancellationToken);
        var actions = 1 + (snapshot.Metadata is null ? 0 : 1) + snapshot.Transactions.Count + snapshot.Files.Count;
        if (await LastCheckpointAsync(cancellationToken) is not { } newer || newer < version)
        {
            await storage.WriteAsync(LastCheckpointPath, JsonSerializer.SerializeToUtf8Bytes(new LastCheckpoint(version, actions)), cancellationToken);
        }
    }

    /// <summary>The version <c>_last_checkpoint</c> names, or null when there is none (or it cannot be read).</summary>
    public async Task<long?> LastCheckpointAsync(CancellationToken cancellationToken = default)
    {
        var bytes = await storage.ReadAsync(LastCheckpointPath, cancellationToken);
        try
        {
            return bytes is null ? null : JsonSerializer.Deserialize<LastCheckpoint>(bytes)?.Version;
        }
        catch (JsonException)
        {
            return null;
        }
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
        // A writer whose snapshot is older than the log keeps would find the version after it free again once log
        // retention removed it, and commit where no reader looks: the version before must still be there.
        if (version > 0 && await storage.ReadAsync(CommitPath(version - 1), cancellationToken) is null && !await CanReadCheckpointAsync(version - 1, cancellationToken))
        {
            throw new InvalidDataException($"{TablePath}: version {version - 1} is not in {Folder} (log retention removed it, or the snapshot is stale): read the table again before committing.");
        }
        if (!await storage.PutIfAbsentAsync(CommitPath(version), Encoding.UTF8.GetBytes(text.ToString()), cancellationToken))
        {
            return false;
        }
        if (version > 0 && version % CheckpointInterval == 0)
        {
            // The commit stands whatever happens here: a checkpoint that cannot be written now leaves readers
            // replaying a few more commits until the next one.
            try
            {
                // Not cancelled with the caller: the commit has landed, and its checkpoint is a few small writes.
                await WriteCheckpointAsync(version, CancellationToken.None);
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or OutOfMemoryException))
            {
                CheckpointFailures++;
                LastCheckpointFailure = $"the checkpoint of version {version} could not be written: {exception.Message}";
            }
        }
        return true;
    }

    /// <summary>Checkpoints this log object could not write after its commits (each one's commit stands).</summary>
    public int CheckpointFailures { get; private set; }

    /// <summary>Why the last of those failed, for the writer's log; null when none did.</summary>
    public string? LastCheckpointFailure { get; private set; }

    public string CheckpointPath(long version) => $"{TablePath}/{Folder}/{version.ToString("D20", CultureInfo.InvariantCulture)}.checkpoint.parquet";

    private string LastCheckpointPath => $"{TablePath}/{Folder}/_last_checkpoint";

    public string CommitPath(long version) => $"{TablePath}/{Folder}/{version.ToString("D20", CultureInfo.InvariantCulture)}.json";

    /// <summary>The versions of the commit files and of the checkpoint files in the log, each in order.</summary>
    private async Task<(List<long> Commits, List<long> Checkpoints)> ListAsync(CancellationToken cancellationToken)
    {
        var (commits, checkpoints) = (new List<long>(), new List<long>());
        foreach (var path in await storage.ListAsync($"{TablePath}/{Folder}", cancellationToken))
        {
            switch (VersionOf(path))
            {
                case (var version, "json"):
                    commits.Add(version);
                    break;
                case (var version, "checkpoint.parquet"):
                    checkpoints.Add(version);
                    break;
            }
        }
        commits.Sort();
        checkpoints.Sort();
        return (commits, checkpoints);
    }

    /// <summary>
    /// The version a log file's name carries and what follows it (<c>json</c> for a commit, <c>checkpoint.parquet</c>
    /// for a checkpoint); null for any other file.
    /// </summary>
    public static (long Version, string Kind)? VersionOf(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Length < 22 || name[20] != '.' || !long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? null
            : (version, name[21..]);
    }

    /// <summary>A snapshot's state as actions are applied in order.</summary>
    private sealed class Replay
    {
        public DeltaProtocol? Protocol { get; private set; }

        public DeltaMetadata? Metadata { get; private set; }

        public Dictionary<string, DeltaAdd> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Transactions { get; } = new(StringComparer.Ordinal);

        public void Apply(IEnumerable<DeltaAction> actions)
        {
            foreach (var action in actions)
            {
                Protocol = action.Protocol ?? Protocol;
                Metadata = action.MetaData ?? Metadata;
                if (action.Add is { } add)
                {
                    Files[add.Path] = add;
                }
                if (action.Remove is { } remove)
                {
                    Files.Remove(remove.Path);
                }
                if (action.Txn is { } txn)
                {
                    Transactions[txn.AppId] = txn.Version;
                }
            }
        }
    }

    /// <summary>The content of <c>_last_checkpoint</c>: the newest checkpoint's version and how many actions it holds.</summary>
    private sealed record LastCheckpoint(
        [property: System.Text.Json.Serialization.JsonPropertyName("version")] long Version,
        [property: System.Text.Json.Serialization.JsonPropertyName("size")] long Size);
}
