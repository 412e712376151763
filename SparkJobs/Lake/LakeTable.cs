using System.Globalization;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Lake;

/// <summary>
/// A stream's table in the lake: Parquet files partitioned by <c>dt</c> (UTC date of <c>created</c>) under a Delta
/// commit log. A merge keeps the table's invariant, every source id exactly once at its latest
/// version: the partitions a batch touches are rewritten with the batch's rows replacing older ones, and the new
/// files replace the old in one commit. A run's commit carries a <c>txn</c> with its run id, so committing the same
/// run again changes nothing.
/// </summary>
public sealed class LakeTable(ILakeStorage storage, string tablePath, StreamSchema schema, ITableFormat format)
{
    public const string PartitionColumn = "dt";
    private const int MaxCommitAttempts = 10;

    public DeltaLog Log { get; } = new(storage, tablePath);

    public static string TransactionId(string runId) => $"opsconsole-run-{runId}";

    /// <summary>
    /// Merges <paramref name="batch"/> (rows of <see cref="StreamSchema.Columns"/>, later rows newer) as run
    /// <paramref name="runId"/>, all in memory: for small batches. Runs stream their partitions through the other overload.
    /// </summary>
    public Task<MergeResult> MergeAsync(IReadOnlyList<object?[]> batch, string runId, long windowEnd = 0, CancellationToken cancellationToken = default)
    {
        var createdColumn = IndexOf("created");
        var partitions = batch.GroupBy(row => PartitionOf((long)row[createdColumn]!))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PartitionRows(g.Key, [.. g]))
            .ToList();
        return MergeAsync(_ => partitions.ToAsyncEnumerable(), runId, windowEnd, null, cancellationToken);
    }

    /// <summary>
    /// Merges a batch handed over one partition at a time (each partition once; within a partition, later rows are
    /// newer) as run <paramref name="runId"/>, so memory holds one partition, not the run. The partitions a batch
    /// touches are rewritten with its rows replacing older ones, and every new file enters the table in one commit
    /// whose <c>txn</c> records <paramref name="windowEnd"/>, so a rerun after a crash between commit and checkpoint
    /// knows where the committed window ended. When another writer commits first the batch is read again from
    /// <paramref name="batch"/> and merged on top of it. <paramref name="onPartition"/> hears of each written partition.
    /// </summary>
    public async Task<MergeResult> MergeAsync(Func<CancellationToken, IAsyncEnumerable<PartitionRows>> batch, string runId, long windowEnd,
        Action<MergeResult>? onPartition, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            var snapshot = await Log.ReadSnapshotAsync(cancellationToken);
            if (snapshot.Transactions.ContainsKey(TransactionId(runId)))
            {
                return new MergeResult(snapshot.Version, 0, 0, 0, AlreadyCommitted: true);
            }

            // Checked before anything is written: a schema the table cannot take is refused with nothing to clean up.
            var evolved = snapshot.Metadata is { } metadata ? DeltaSchema.Evolve(metadata, schema.Columns) : null;
            var merge = new TableMerge(storage, Log, schema, format, runId, snapshot);
            List<DeltaAction> actions;
            IReadOnlyList<MovedId> moved;
            try
            {
                await foreach (var partition in batch(cancellationToken))
                {
                    await merge.WritePartitionAsync(partition, cancellationToken);
                    onPartition?.Invoke(new MergeResult(snapshot.Version + 1, merge.Inserted, merge.Replaced, merge.Partitions, AlreadyCommitted: false));
                }
                (actions, moved) = await merge.FinishAsync(cancellationToken);
            }
            catch (Exception)
            {
                // The batch failed before its commit (a blocking data-quality rule, a bad record): the files it wrote are
                // in no commit, so no reader sees them; remove them rather than leave them for a vacuum.
                await DeleteQuietlyAsync(merge.Files);
                throw;
            }
            if (snapshot.Version < 0)
            {
                actions.InsertRange(0, [
                    new DeltaAction { Protocol = new DeltaProtocol(1, 2) },
                    new DeltaAction
                    {
                        MetaData = new DeltaMetadata(Guid.NewGuid().ToString(), new DeltaFormat("parquet", []),
                            DeltaSchema.SchemaString(schema.Columns, [PartitionColumn]), [PartitionColumn], [],
                            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
                    },
                ]);
            }
            else if (evolved is not null)
            {
                // A column the stream gained (created_at beside created): the same commit widens the table's schema.
                actions.Insert(0, new DeltaAction { MetaData = evolved });
            }
            actions.Add(new DeltaAction { Txn = new DeltaTransaction(TransactionId(runId), windowEnd, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) });

            if (await Log.TryCommitAsync(snapshot.Version + 1, actions, "MERGE", cancellationToken))
            {
                return new MergeResult(snapshot.Version + 1, merge.Inserted, merge.Replaced, merge.Partitions, AlreadyCommitted: false) { Moved = moved };
            }
            // Someone committed first: read their version and merge again on top of it.
        }
        throw new IOException($"{Log.TablePath}: {MaxCommitAttempts} commit attempts lost to concurrent writers.");
    }

    private async Task DeleteQuietlyAsync(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            try
            {
                await storage.DeleteAsync(path, CancellationToken.None);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Unreferenced by any commit, so harmless where it stays.
            }
        }
    }

    /// <summary>
    /// One column's values in the table's current snapshot, a file at a time (memory holds one file, not the table);
    /// null when the table has no commit yet.
    /// </summary>
    public async Task<IAsyncEnumerable<string>?> ReadColumnAsync(string column, CancellationToken cancellationToken = default)
    {
        var index = IndexOf(column);
        var snapshot = await Log.ReadSnapshotAsync(cancellationToken);
        return snapshot.Version < 0 ? null : Values(snapshot.Files.Values.Select(f => f.Path).Order(StringComparer.Ordinal).ToList(), index, cancellationToken);
    }

    private async IAsyncEnumerable<string> Values(List<string> files, int column, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var bytes = await storage.ReadAsync($"{Log.TablePath}/{file}", cancellationToken)
                ?? throw new InvalidDataException($"{Log.TablePath}/{file} is in the commit log but not in the lake.");
            foreach (var value in (await format.ReadAsync(bytes, schema.Columns, cancellationToken: cancellationToken)).Values[column])
            {
                if (value is not null)
                {
                    yield return Convert.ToString(value, CultureInfo.InvariantCulture)!;
                }
            }
        }
    }

    /// <summary>
    /// The current snapshot's rows a file at a time (memory holds one file, not the table), with the snapshot's version
    /// and file count first; null when the table has no commit yet.
    /// </summary>
    public async Task<(long Version, int Files, IAsyncEnumerable<List<object?[]>> Rows)?> ReadByFileAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await Log.ReadSnapshotAsync(cancellationToken);
        if (snapshot.Version < 0)
        {
            return null;
        }
        var files = snapshot.Files.Values.Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
        return (snapshot.Version, files.Count, FileRows(files, cancellationToken));
    }

    private async IAsyncEnumerable<List<object?[]>> FileRows(List<string> files, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var bytes = await storage.ReadAsync($"{Log.TablePath}/{file}", cancellationToken)
                ?? throw new InvalidDataException($"{Log.TablePath}/{file} is in the commit log but not in the lake.");
            var rows = Tables.ToRows(await format.ReadAsync(bytes, schema.Columns, cancellationToken: cancellationToken));
            foreach (var row in rows)
            {
                schema.FillTimestamps(row);
            }
            yield return rows;
        }
    }

    /// <summary>Every row of the table's current snapshot.</summary>
    public async Task<List<object?[]>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await Log.ReadSnapshotAsync(cancellationToken);
        var rows = new List<object?[]>();
        foreach (var file in snapshot.Files.Values.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var bytes = await storage.ReadAsync($"{Log.TablePath}/{file.Path}", cancellationToken)
                ?? throw new InvalidDataException($"{Log.TablePath}/{file.Path} is in the commit log but not in the lake.");
            rows.AddRange(Tables.ToRows(await format.ReadAsync(bytes, schema.Columns, cancellationToken: cancellationToken)));
        }
        return rows;
    }

    public int IndexOf(string column) => schema.IndexOf(column);

    /// <summary>The partition of a record created at <paramref name="created"/> (unix seconds): its UTC date.</summary>
    public static string PartitionOf(long created) =>
        DateTimeOffset.FromUnixTimeSeconds(created).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>One partition's rows of a batch.</summary>
public sealed record PartitionRows(string Partition, IReadOnlyList<object?[]> Rows);

/// <summary>What a merge did (so far, when reported per partition).</summary>
public sealed record MergeResult(long Version, long Inserted, long Replaced, int Partitions, bool AlreadyCommitted)
{
    /// <summary>Ids the source sent under more than one day: each is kept once (see <see cref="TableMerge"/>).</summary>
    public IReadOnlyList<MovedId> Moved { get; init; } = [];
}
