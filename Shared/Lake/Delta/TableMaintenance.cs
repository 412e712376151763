using System.Globalization;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;

namespace OpsConsole.Shared.Lake.Delta;

/// <summary>
/// What keeps a Delta table healthy for years, for any of the lake's tables (it reads the schema from the log, not
/// from a stream): <see cref="CompactAsync"/> rewrites a partition's small files into files of a target size,
/// <see cref="VacuumAsync"/> deletes the files no snapshot within the retention references, and
/// <see cref="CleanLogAsync"/> deletes commit files that a checkpoint has made unnecessary. Each is safe beside a
/// running writer: compaction commits only if every file it rewrote is still live (otherwise it removes its own
/// files and says so), and vacuum never deletes a file younger than the retention, which covers every file a writer
/// has written but not yet committed.
/// </summary>
public sealed class TableMaintenance(ILakeStorage storage, string tablePath, ITableFormat format, TimeProvider? clock = null)
{
    /// <summary>
    /// The shortest retention vacuum and log cleaning accept. A writer's files are unreferenced from the moment they are
    /// written until its commit lands, and only their age protects them: a merge that took longer than this between its
    /// first file and its commit could lose files to a vacuum running meanwhile.
    /// </summary>
    public static readonly TimeSpan MinimumRetention = TimeSpan.FromHours(1);

    /// <summary>Delta's default file retention (<c>delta.deletedFileRetentionDuration</c>): 7 days.</summary>
    public static readonly TimeSpan DefaultFileRetention = TimeSpan.FromDays(7);

    /// <summary>Delta's default log retention (<c>delta.logRetentionDuration</c>): 30 days.</summary>
    public static readonly TimeSpan DefaultLogRetention = TimeSpan.FromDays(30);

    /// <summary>
    /// The default size of a compacted file. Compaction holds one output file's rows in memory (several times the
    /// compressed size), so the default is smaller than Spark's 1 GiB.
    /// </summary>
    public const long DefaultTargetBytes = 32L << 20;

    public const long MinimumTargetBytes = 1L << 20;

    private const int MaxCommitAttempts = 10;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public DeltaLog Log { get; } = new(storage, tablePath);

    /// <summary>
    /// Rewrites the small files (under <paramref name="targetBytes"/>) of each partition, or of the one partition whose
    /// <c>dt</c> is <paramref name="partition"/>, into as few files of about <paramref name="targetBytes"/> as they fill,
    /// in one commit whose actions carry <c>dataChange=false</c> (the rows do not change, so streaming readers skip
    /// it). A partition with fewer than two small files is left alone. <see cref="TableChangedException"/> when a
    /// writer removed one of the rewritten files before the commit: nothing of this compaction stays behind.
    /// </summary>
    public async Task<CompactResult> CompactAsync(string? partition, long targetBytes, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetBytes, MinimumTargetBytes);
        var snapshot = await Log.ReadSnapshotAsync(cancellationToken);
        if (snapshot.Metadata is not { } metadata)
        {
            return new CompactResult(snapshot.Version, Committed: false, 0, 0, 0, 0, 0);
        }
        var columns = DeltaSchema.Columns(metadata);
        var bins = Bins(snapshot, metadata, partition, targetBytes);
        if (bins.Count == 0)
        {
            progress?.Invoke(partition is null ? "No partition has two or more small files: nothing to compact." : $"dt={partition} has fewer than two small files: nothing to compact.");
            return new CompactResult(snapshot.Version, Committed: false, 0, 0, 0, 0, 0);
        }
        var written = new List<DeltaAdd>();
        // Set while a commit is attempted: a failure then (a lost connection after the store took the write) leaves the
        // outcome unknown, and the written files may be the table's now, so they are not deleted.
        var committing = false;
        try
        {
            long rows = 0;
            foreach (var (bin, index) in bins.Select((b, i) => (b, i)))
            {
                var (add, count) = await RewriteAsync(metadata, columns, bin, cancellationToken);
                written.Add(add);
                rows += count;
                progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"{index + 1}/{bins.Count}: {Describe(metadata, bin[0].PartitionValues)}: {bin.Count} files ({Bytes(bin.Sum(f => f.Size))}) into 1 of {Bytes(add.Size)}, {count:N0} rows"));
            }
            await CheckWrittenAsync(written, cancellationToken);
            var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            var inputs = bins.SelectMany(b => b).ToList();
            var actions = inputs.Select(f => new DeltaAction { Remove = new DeltaRemove(f.Path, now, false, true, f.PartitionValues, f.Size) })
                .Concat(written.Select(a => new DeltaAction { Add = a }))
                .ToList();
            var version = snapshot.Version + 1;
            for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
            {
                committing = true;
                var committed = await Log.TryCommitAsync(version, actions, "OPTIMIZE", cancellationToken);
                committing = false;
                if (committed)
                {
                    return new CompactResult(version, Committed: true, bins.Select(b => Describe(metadata, b[0].PartitionValues)).Distinct(StringComparer.Ordinal).Count(),
                        inputs.Count, inputs.Sum(f => f.Size), written.Count, written.Sum(a => a.Size)) { Rows = rows };
                }
                // A writer committed first: the compaction still holds if every file it rewrote is live in that version.
                var latest = await Log.ReadSnapshotAsync(cancellationToken);
                if (inputs.FirstOrDefault(f => !latest.Files.ContainsKey(f.Path)) is { } gone)
                {
                    throw new TableChangedException($"{Log.TablePath}: version {latest.Version} removed {gone.Path}, which this compaction rewrote; nothing was changed, run it again.");
                }
                version = latest.Version + 1;
            }
            throw new TableChangedException($"{Log.TablePath}: {MaxCommitAttempts} commit attempts lost to concurrent writers; nothing was changed, run it again.");
        }
        catch (Exception exception) when (committing)
        {
            throw new IOException($"{Log.TablePath}: the compaction's commit failed and may have landed ({exception.Message}); its files are kept (a vacuum removes them if they are in no commit). Read the table's history before running it again.", exception);
        }
        catch (Exception)
        {
            foreach (var add in written)
            {
                await DeleteQuietlyAsync($"{Log.TablePath}/{add.Path}");
            }
            throw;
        }
    }

    /// <summary>
    /// Every file this compaction wrote is still there before it commits: a vacuum that ran meanwhile with a retention
    /// shorter than the compaction took (its files are unreferenced until the commit) would otherwise leave a commit
    /// naming files that are gone.
    /// </summary>
    private async Task CheckWrittenAsync(List<DeltaAdd> written, CancellationToken cancellationToken)
    {
        var present = (await storage.ListFilesAsync(Log.TablePath, cancellationToken)).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        if (written.FirstOrDefault(a => !present.Contains($"{Log.TablePath}/{a.Path}")) is { } missing)
        {
            throw new TableChangedException($"{Log.TablePath}: {missing.Path}, which this compaction wrote, is gone (a vacuum with a retention shorter than the compaction?); nothing was changed, run it again.");
        }
    }

    /// <summary>
    /// The files <see cref="VacuumAsync"/> would delete, or deletes them with <paramref name="apply"/>: every file of the
    /// table's folder (outside <c>_delta_log</c> and hidden folders such as <c>_runs</c>) that is older than
    /// <paramref name="retain"/>, is not live in the current version and was not named by a commit written within the
    /// retention. That takes the files older commits removed and the files a crashed writer left unreferenced, and
    /// keeps every file a snapshot within the retention reads (time travel that far back keeps working).
    /// </summary>
    public async Task<VacuumResult> VacuumAsync(TimeSpan retain, bool apply, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckRetention(retain);
        var cutoff = _clock.GetUtcNow() - retain;
        // Listed before the log is read: a file a writer commits after the listing is not listed or is young.
        var files = await storage.ListFilesAsync(Log.TablePath, cancellationToken);
        var snapshot = await Log.ReadSnapshotAsync(cancellationToken);
        var keep = new HashSet<string>(snapshot.Files.Keys, StringComparer.Ordinal);
        var logPrefix = $"{Log.TablePath}/{DeltaLog.Folder}/";
        var listedCommits = files.Where(f => f.Path.StartsWith(logPrefix, StringComparison.Ordinal) && DeltaLog.VersionOf(f.Path) is (_, "json"))
            .Select(f => (File: f, DeltaLog.VersionOf(f.Path)!.Value.Version)).ToList();
        // The files named by the commits written within the retention, and by the commits that landed between the
        // listing and the snapshot (not listed, and as recent as can be).
        var newestListed = listedCommits.Count > 0 ? listedCommits.Max(c => c.Version) : -1;
        var recent = listedCommits.Where(c => c.File.Modified >= cutoff).Select(c => c.Version)
            .Concat(Enumerable.Range(0, (int)Math.Max(0, snapshot.Version - newestListed)).Select(i => newestListed + 1 + i));
        foreach (var version in recent)
        {
            foreach (var action in await Log.ReadCommitAsync(version, cancellationToken))
            {
                if ((action.Add?.Path ?? action.Remove?.Path) is { } path)
                {
                    keep.Add(path);
                }
            }
        }
        var prefix = Log.TablePath + "/";
        var doomed = files.Where(f => f.Modified < cutoff)
            .Select(f => (File: f, Relative: f.Path[prefix.Length..]))
            .Where(f => !f.Relative.Split('/').Any(segment => segment.StartsWith('_') || segment.StartsWith('.')) && !keep.Contains(f.Relative))
            .ToList();
        var deleted = 0;
        if (apply)
        {
            foreach (var (file, relative) in doomed)
            {
                await storage.DeleteAsync(file.Path, cancellationToken);
                deleted++;
                if (deleted % 100 == 0 || deleted == doomed.Count)
                {
                    progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"deleted {deleted:N0} of {doomed.Count:N0} files"));
                }
            }
        }
        return new VacuumResult(snapshot.Version, apply, cutoff, doomed.Count, doomed.Sum(f => f.File.Size), deleted, [.. doomed.Select(f => f.Relative)]);
    }

    /// <summary>
    /// The log files <see cref="CleanLogAsync"/> would delete, or deletes them with <paramref name="apply"/>: the commits
    /// and checkpoints before the newest readable checkpoint written before the retention's start. Every version from
    /// that checkpoint on stays readable; older versions are gone (time travel to them names the oldest that is left).
    /// The oldest are deleted first, so an interrupted clean leaves a log without gaps.
    /// </summary>
    public async Task<LogCleanResult> CleanLogAsync(TimeSpan retain, bool apply, CancellationToken cancellationToken = default)
    {
        CheckRetention(retain);
        var cutoff = _clock.GetUtcNow() - retain;
        var files = (await storage.ListFilesAsync($"{Log.TablePath}/{DeltaLog.Folder}", cancellationToken))
            .Select(f => (File: f, Version: DeltaLog.VersionOf(f.Path)))
            .Where(f => f.Version is not null)
            .Select(f => (f.File, f.Version!.Value.Version, f.Version!.Value.Kind))
            .ToList();
        long? start = null;
        foreach (var checkpoint in files.Where(f => f.Kind == "checkpoint.parquet" && f.File.Modified < cutoff).OrderByDescending(f => f.Version))
        {
            if (await Log.CanReadCheckpointAsync(checkpoint.Version, cancellationToken))
            {
                start = checkpoint.Version;
                break;
            }
        }
        if (start is null)
        {
            return new LogCleanResult(null, apply, cutoff, 0, 0, 0);
        }
        var doomed = files.Where(f => f.Version < start).OrderBy(f => f.Version).ThenBy(f => f.Kind, StringComparer.Ordinal).ToList();
        var deleted = 0;
        if (apply)
        {
            // Readers that start at _last_checkpoint must not be sent to a checkpoint about to go (a crash between a
            // checkpoint and its pointer leaves the pointer behind).
            if (await Log.LastCheckpointAsync(cancellationToken) is not { } pointer || pointer < start)
            {
                await Log.WriteCheckpointAsync(start.Value, cancellationToken);
            }
            foreach (var file in doomed)
            {
                await storage.DeleteAsync(file.File.Path, cancellationToken);
                deleted++;
            }
        }
        return new LogCleanResult(start, apply, cutoff, doomed.Count, doomed.Sum(f => f.File.Size), deleted);
    }

    private static void CheckRetention(TimeSpan retain)
    {
        if (retain < MinimumRetention)
        {
            throw new ArgumentOutOfRangeException(nameof(retain), retain,
                $"The retention must be at least {MinimumRetention.TotalHours:0} hour: a younger unreferenced file may belong to a commit in flight.");
        }
    }

    /// <summary>Each partition's small files, bin-packed into groups of about the target size; groups of one are left out.</summary>
    private static List<List<DeltaAdd>> Bins(DeltaSnapshot snapshot, DeltaMetadata metadata, string? partition, long targetBytes)
    {
        var bins = new List<List<DeltaAdd>>();
        var partitions = snapshot.Files.Values
            .Where(f => f.Size < targetBytes && (partition is null || f.PartitionValues.GetValueOrDefault(metadata.PartitionColumns.Count > 0 ? metadata.PartitionColumns[0] : "") == partition))
            .GroupBy(f => Describe(metadata, f.PartitionValues), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var files in partitions)
        {
            var bin = new List<DeltaAdd>();
            long size = 0;
            foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                if (bin.Count > 0 && size + file.Size > targetBytes)
                {
                    bins.Add(bin);
                    (bin, size) = ([], 0);
                }
                bin.Add(file);
                size += file.Size;
            }
            bins.Add(bin);
        }
        bins.RemoveAll(b => b.Count < 2);
        return bins;
    }

    private async Task<(DeltaAdd Add, long Rows)> RewriteAsync(DeltaMetadata metadata, IReadOnlyList<ParquetColumn> columns, List<DeltaAdd> files,
        CancellationToken cancellationToken)
    {
        var tables = new List<ParquetTable>(files.Count);
        foreach (var file in files)
        {
            var bytes = await storage.ReadAsync($"{Log.TablePath}/{file.Path}", cancellationToken)
                ?? throw new InvalidDataException($"{Log.TablePath}/{file.Path} is in the commit log but not in the lake.");
            tables.Add(await format.ReadAsync(bytes, columns, cancellationToken: cancellationToken));
        }
        var rows = tables.Sum(t => t.RowCount);
        var values = new Array[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            values[c] = Array.CreateInstance(ParquetTable.ArrayType(columns[c].Type).GetElementType()!, rows);
            var offset = 0;
            foreach (var table in tables)
            {
                Array.Copy(table.Values[c], 0, values[c], offset, table.RowCount);
                offset += table.RowCount;
            }
        }
        var merged = new ParquetTable(columns, values);
        using var buffer = new MemoryStream();
        await format.WriteAsync(buffer, merged, cancellationToken);
        var folder = string.Join('/', metadata.PartitionColumns.Select(c => $"{c}={files[0].PartitionValues.GetValueOrDefault(c)}"));
        var path = $"{(folder.Length > 0 ? folder + "/" : "")}part-compact-{Guid.NewGuid().ToString("N")[..16]}{format.Extension}";
        await storage.WriteAsync($"{Log.TablePath}/{path}", buffer.ToArray(), cancellationToken);
        return (new DeltaAdd(path, new Dictionary<string, string?>(files[0].PartitionValues, StringComparer.Ordinal), buffer.Length,
            _clock.GetUtcNow().ToUnixTimeMilliseconds(), false, DeltaSchema.Stats(merged)), rows);
    }

    private async Task DeleteQuietlyAsync(string path)
    {
        try
        {
            await storage.DeleteAsync(path, CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Unreferenced by any commit: the next vacuum past the retention takes it.
        }
    }

    private static string Describe(DeltaMetadata metadata, IReadOnlyDictionary<string, string?> values) =>
        metadata.PartitionColumns.Count == 0 ? "the table" : string.Join('/', metadata.PartitionColumns.Select(c => $"{c}={values.GetValueOrDefault(c)}"));

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}

/// <summary>What a compaction did: the version it committed (or the one it found), partitions, files and bytes in and out.</summary>
public sealed record CompactResult(long Version, bool Committed, int Partitions, int FilesRemoved, long BytesRemoved, int FilesAdded, long BytesAdded)
{
    public long Rows { get; init; }
}

/// <summary>What a vacuum found (and deleted, when applied): files older than <see cref="Cutoff"/> no snapshot within the retention reads.</summary>
public sealed record VacuumResult(long Version, bool Applied, DateTimeOffset Cutoff, int Files, long Bytes, int Deleted, IReadOnlyList<string> Paths);

/// <summary>What a log clean found (and deleted, when applied): the log files before checkpoint <see cref="KeptFrom"/>.</summary>
public sealed record LogCleanResult(long? KeptFrom, bool Applied, DateTimeOffset Cutoff, int Files, long Bytes, int Deleted);

/// <summary>A writer changed the table under a maintenance operation, which changed nothing and can be run again.</summary>
public sealed class TableChangedException(string message) : IOException(message);
