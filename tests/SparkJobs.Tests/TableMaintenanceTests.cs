using System.Text.Json;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Tests;

public sealed class TableMaintenanceTests : IDisposable
{
    private const long Day = 86_400, Start = 1_790_000_000;
    private const string TablePath = "raw/stripe/charges";
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"opsconsole-maint-{Guid.NewGuid():N}");
    private readonly LocalLakeStorage _storage;
    private readonly LakeTable _table;
    private readonly TableMaintenance _maintenance;
    private readonly ParquetFormat _format = new();

    public TableMaintenanceTests()
    {
        _storage = new LocalLakeStorage(_root);
        _table = new LakeTable(_storage, TablePath, StreamSchema.Charges, _format);
        _maintenance = new TableMaintenance(_storage, TablePath, _format);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string DayA => LakeTable.PartitionOf(Start);

    private static string DayB => LakeTable.PartitionOf(Start + Day);

    [Fact]
    public async Task Compact_SmallFilesOfAPartition_BecomeOneFileInAnOptimizeCommit_AndTheTableReadsTheSame()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start), ("ch_b", Start + Day)), "run-1");
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync(DayA, $"append-{i}", ($"ch_x{i}", Start + 10), ($"ch_y{i}", Start + 20));
        }
        var before = await RowsAsync();
        var lines = new List<string>();

        var result = await _maintenance.CompactAsync(null, TableMaintenance.DefaultTargetBytes, lines.Add);

        Assert.True(result.Committed);
        Assert.Equal((1, 6, 1, 11L), (result.Partitions, result.FilesRemoved, result.FilesAdded, result.Rows));
        Assert.Equal(before, await RowsAsync());
        var snapshot = await _table.Log.ReadSnapshotAsync();
        Assert.Equal(result.Version, snapshot.Version);
        Assert.Single(snapshot.Files.Values, f => f.PartitionValues["dt"] == DayA);
        Assert.Single(snapshot.Files.Values, f => f.PartitionValues["dt"] == DayB);
        var commit = await _table.Log.ReadCommitAsync(result.Version);
        Assert.All(commit.Where(a => a.Add is not null), a => Assert.False(a.Add!.DataChange));
        Assert.All(commit.Where(a => a.Remove is not null), a => Assert.False(a.Remove!.DataChange));
        Assert.Equal("OPTIMIZE", commit.Single(a => a.CommitInfo is not null).CommitInfo!["operation"]!.ToString());
        Assert.Contains(lines, l => l.Contains($"dt={DayA}: 6 files", StringComparison.Ordinal));
        // The table keeps working: a later merge replaces a row that now sits in the compacted file.
        await _table.MergeAsync(Batch("run-2", ("ch_x3", Start + 10)), "run-2");
        var ids = (await _table.ReadAllAsync()).Select(r => (string)r[_table.IndexOf("id")]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(12, ids.Count);
    }

    [Fact]
    public async Task Compact_OnePartition_LeavesTheOthers_AndAPartitionWithOneFileIsLeftAlone()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start), ("ch_b", Start + Day)), "run-1");
        await AppendAsync(DayA, "a1", ("ch_c", Start));
        await AppendAsync(DayB, "b1", ("ch_d", Start + Day));

        var result = await _maintenance.CompactAsync(DayB, TableMaintenance.DefaultTargetBytes);
        var nothing = await _maintenance.CompactAsync(DayB, TableMaintenance.DefaultTargetBytes);

        Assert.Equal(2, result.FilesRemoved);
        var snapshot = await _table.Log.ReadSnapshotAsync();
        Assert.Equal(2, snapshot.Files.Values.Count(f => f.PartitionValues["dt"] == DayA));
        Assert.False(nothing.Committed);
        Assert.Equal(result.Version, nothing.Version);
    }

    [Fact]
    public async Task Compact_WhenAWriterRewritesThePartitionFirst_RefusesAndLeavesNoFileBehind()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start)), "run-1");
        await AppendAsync(DayA, "a1", ("ch_b", Start));
        var writer = new LakeTable(_storage, TablePath, StreamSchema.Charges, _format);
        var racing = new TableMaintenance(new BeforeWrite(_storage, "part-compact-",
            () => writer.MergeAsync(Batch("run-2", ("ch_a", Start)), "run-2")), TablePath, _format);

        var exception = await Assert.ThrowsAsync<TableChangedException>(() => racing.CompactAsync(null, TableMaintenance.DefaultTargetBytes));

        Assert.Contains("which this compaction rewrote; nothing was changed", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await _storage.ListAsync(TablePath), p => p.Contains("part-compact-", StringComparison.Ordinal));
        Assert.Equal(["ch_a", "ch_b"], (await RowsAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Compact_WhenAWriterCommitsElsewhereFirst_CommitsAfterIt()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start)), "run-1");
        await AppendAsync(DayA, "a1", ("ch_b", Start));
        var writer = new LakeTable(_storage, TablePath, StreamSchema.Charges, _format);
        var racing = new TableMaintenance(new BeforeWrite(_storage, "part-compact-",
            () => writer.MergeAsync(Batch("run-2", ("ch_z", Start + Day)), "run-2")), TablePath, _format);

        var result = await racing.CompactAsync(null, TableMaintenance.DefaultTargetBytes);

        Assert.True(result.Committed);
        Assert.Equal(3, result.Version);
        Assert.Equal(["ch_a", "ch_b", "ch_z"], (await RowsAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Vacuum_DeletesOnlyOldUnreferencedFiles_AndOnlyWhenApplied()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start), ("ch_b", Start + Day)), "run-1");
        var replaced = (await _table.Log.ReadSnapshotAsync()).Files.Values.Single(f => f.PartitionValues["dt"] == DayA).Path;
        await _table.MergeAsync(Batch("run-2", ("ch_a", Start + 5)), "run-2");
        var crashed = await OrphanAsync(DayA, "crashed");
        var young = await OrphanAsync(DayB, "in-flight");
        await _storage.WriteAsync($"{TablePath}/_runs/run-1/quality.json", "{}"u8.ToArray());
        Age(TimeSpan.FromDays(10), $"{TablePath}/{replaced}", $"{TablePath}/{crashed}", $"{TablePath}/_runs/run-1/quality.json");

        // The commit that removed the replaced file is recent: a snapshot within the retention still reads the file.
        var recent = await _maintenance.VacuumAsync(TimeSpan.FromDays(7), apply: false);
        Assert.Equal([crashed], recent.Paths);

        Age(TimeSpan.FromDays(10), [.. Directory.GetFiles(Path.Combine(_root, TablePath, "_delta_log"))]);
        var dry = await _maintenance.VacuumAsync(TimeSpan.FromDays(7), apply: false);
        Assert.Equal([crashed, replaced], dry.Paths.Order(StringComparer.Ordinal));
        Assert.Equal(0, dry.Deleted);
        Assert.True(File.Exists(Path.Combine(_root, TablePath, replaced)));

        var applied = await _maintenance.VacuumAsync(TimeSpan.FromDays(7), apply: true);

        Assert.Equal(2, applied.Deleted);
        Assert.False(File.Exists(Path.Combine(_root, TablePath, replaced)));
        Assert.False(File.Exists(Path.Combine(_root, TablePath, crashed)));
        Assert.True(File.Exists(Path.Combine(_root, TablePath, young)));
        Assert.True(File.Exists(Path.Combine(_root, TablePath, "_runs/run-1/quality.json")));
        Assert.Equal(["ch_a", "ch_b"], (await RowsAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Vacuum_ACommitLandingBetweenItsListingAndItsSnapshot_KeepsTheFileThatCommitRemoved()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start)), "run-1");
        var old = (await _table.Log.ReadSnapshotAsync()).Files.Keys.Single();
        Age(TimeSpan.FromDays(10), [$"{TablePath}/{old}", .. Directory.GetFiles(Path.Combine(_root, TablePath, "_delta_log"))]);
        var writer = new LakeTable(_storage, TablePath, StreamSchema.Charges, _format);
        var vacuum = new TableMaintenance(new AfterList(_storage, () => writer.MergeAsync(Batch("run-2", ("ch_a", Start + 5)), "run-2")), TablePath, _format);

        var result = await vacuum.VacuumAsync(TimeSpan.FromDays(7), apply: true);

        // Version 0, which still reads the old file, is within the retention: the file stays.
        Assert.Equal(0, result.Deleted);
        Assert.True(File.Exists(Path.Combine(_root, TablePath, old)));
        Assert.Single((await _table.Log.ReadSnapshotAsync(0)).Files);
    }

    [Fact]
    public async Task Compact_WhenTheCommitFailsAfterTheStoreTookIt_KeepsItsFiles_AndTheTableReads()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start)), "run-1");
        await AppendAsync(DayA, "a1", ("ch_b", Start));
        var before = await RowsAsync();
        var flaky = new TableMaintenance(new LostAnswer(_storage, "_delta_log/00000000000000000002.json"), TablePath, _format);

        var exception = await Assert.ThrowsAsync<IOException>(() => flaky.CompactAsync(null, TableMaintenance.DefaultTargetBytes));

        Assert.Contains("may have landed", exception.Message, StringComparison.Ordinal);
        var snapshot = await _table.Log.ReadSnapshotAsync();
        Assert.Equal(2, snapshot.Version);
        Assert.All(snapshot.Files.Keys, f => Assert.True(File.Exists(Path.Combine(_root, TablePath, f)), f));
        Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task Compact_WhoseFileAVacuumRemovedBeforeTheCommit_CommitsNothing()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start)), "run-1");
        await AppendAsync(DayA, "a1", ("ch_b", Start));
        var vacuumed = new TableMaintenance(new BeforeWrite(_storage, "part-compact-", () => Task.CompletedTask) { DeleteAfter = true }, TablePath, _format);

        var exception = await Assert.ThrowsAsync<TableChangedException>(() => vacuumed.CompactAsync(null, TableMaintenance.DefaultTargetBytes));

        Assert.Contains("is gone", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await _table.Log.ReadSnapshotAsync()).Version);
        Assert.Equal(["ch_a", "ch_b"], (await RowsAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task VacuumAndLogClean_RefuseARetentionUnderAnHour()
    {
        var vacuum = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _maintenance.VacuumAsync(TimeSpan.FromMinutes(59), apply: true));
        var clean = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _maintenance.CleanLogAsync(TimeSpan.Zero, apply: true));

        Assert.Contains("at least 1 hour", vacuum.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1 hour", clean.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A writer merges over and over while vacuum runs at the shortest retention in a loop: vacuum deletes the old
    /// leftovers, and every commit the writer makes finds all its files (none was deleted in flight or after).
    /// </summary>
    [Fact]
    public async Task Vacuum_AgainstAConcurrentWriter_NeverDeletesALiveFileOrAFileOfACommitInFlight()
    {
        await _table.MergeAsync(Batch("run-0", ("ch_seed", Start)), "run-0");
        var leftovers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            leftovers.Add(await OrphanAsync(i % 2 == 0 ? DayA : DayB, $"old-{i}"));
        }
        Age(TimeSpan.FromDays(2), [.. leftovers.Select(p => $"{TablePath}/{p}")]);
        var truth = new HashSet<string>(["ch_seed"], StringComparer.Ordinal);
        using var done = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            try
            {
                for (var run = 1; run <= 15; run++)
                {
                    var ids = Enumerable.Range(0, 40).Select(i => ($"ch_{run}_{i}", Start + (i % 3 * Day))).ToArray();
                    await _table.MergeAsync(Batch($"run-{run}", ids), $"run-{run}");
                    truth.UnionWith(ids.Select(i => i.Item1));
                    // Every commit so far reads whole.
                    Assert.Equal(truth.Count, (await _table.ReadAllAsync()).Count);
                }
            }
            finally
            {
                await done.CancelAsync();
            }
        });
        var vacuums = 0;
        var deleted = 0;
        while (!done.IsCancellationRequested)
        {
            deleted += (await _maintenance.VacuumAsync(Hour, apply: true)).Deleted;
            vacuums++;
        }
        await writer;

        Assert.True(vacuums > 1, $"only {vacuums} vacuum ran beside the writer");
        Assert.Equal(leftovers.Count, deleted);
        var rows = await RowsAsync();
        Assert.Equal(truth.Order(StringComparer.Ordinal), rows.Select(r => r.Id));
        foreach (var file in (await _table.Log.ReadSnapshotAsync()).Files.Keys)
        {
            Assert.True(File.Exists(Path.Combine(_root, TablePath, file)), file);
        }
    }

    [Fact]
    public async Task CleanLog_DeletesCommitsBeforeTheNewestOldCheckpoint_AndTheTableStaysReadable()
    {
        for (var run = 0; run < 25; run++)
        {
            await _table.MergeAsync(Batch($"run-{run}", ($"ch_{run}", Start + (run % 2 * Day))), $"run-{run}");
        }
        var log = Path.Combine(_root, TablePath, "_delta_log");
        Age(TimeSpan.FromDays(40), [.. Directory.GetFiles(log).Where(f => DeltaLog.VersionOf(f) is { Version: <= 20 })]);
        var before = await RowsAsync();

        var dry = await _maintenance.CleanLogAsync(TimeSpan.FromDays(30), apply: false);
        Assert.Equal((20L, 21, 0), (dry.KeptFrom!.Value, dry.Files, dry.Deleted));
        Assert.Equal(27, Directory.GetFiles(log).Length - 1);

        var clean = await _maintenance.CleanLogAsync(TimeSpan.FromDays(30), apply: true);

        Assert.Equal(21, clean.Deleted);
        Assert.Equal(["00000000000000000020.checkpoint.parquet", "00000000000000000020.json", "00000000000000000021.json"],
            Directory.GetFiles(log).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(3));
        Assert.Equal(before, await RowsAsync());
        Assert.Equal(20, (await _table.Log.ReadSnapshotAsync(20)).Version);
        var old = await Assert.ThrowsAsync<InvalidDataException>(() => _table.Log.ReadSnapshotAsync(5));
        Assert.Contains("version 5 is older than the log keeps: log retention removed the commits before 20", old.Message, StringComparison.Ordinal);
        // The run markers the checkpoint holds still make a rerun of an old run a no-op.
        Assert.True((await _table.MergeAsync(Batch("run-3", ("ch_3", Start + Day)), "run-3")).AlreadyCommitted);
        // A writer holding a snapshot older than the log keeps cannot commit into the removed versions.
        var stale = await Assert.ThrowsAsync<InvalidDataException>(() => _table.Log.TryCommitAsync(5, [new DeltaAction { Txn = new DeltaTransaction("x", 1, 0) }], "WRITE"));
        Assert.Contains("version 4 is not in _delta_log", stale.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(log, "00000000000000000005.json")));
        // Nothing is left to clean until a newer checkpoint is old enough.
        Assert.Equal(0, (await _maintenance.CleanLogAsync(TimeSpan.FromDays(30), apply: true)).Deleted);
    }

    [Fact]
    public async Task Cli_TableCommands_PrintTheirResult_AndNameABadArgument()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start)), "run-1");
        await AppendAsync(DayA, "a1", ("ch_b", Start));
        string[] lake = ["--stream", "charges", "--lake", _root];

        var (code, output, _) = await RunAsync(["table", "compact", .. lake]);
        Assert.Equal(0, code);
        using (var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]))
        {
            Assert.Equal(2, result.RootElement.GetProperty("files_removed").GetInt32());
            Assert.True(result.RootElement.GetProperty("committed").GetBoolean());
        }

        (code, output, _) = await RunAsync(["table", "vacuum", .. lake, "--retain-hours", "1"]);
        Assert.Equal(0, code);
        using (var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]))
        {
            Assert.False(result.RootElement.GetProperty("applied").GetBoolean());
            Assert.Equal(0, result.RootElement.GetProperty("files").GetInt32());
        }

        (code, output, _) = await RunAsync(["table", "clean-log", .. lake, "--apply"]);
        Assert.Equal(0, code);
        Assert.Contains("\"operation\":\"clean-log\"", output, StringComparison.Ordinal);

        foreach (var (args, message) in new (string[], string)[]
        {
            (["table", "vacuum", .. lake, "--retain-hours", "0.5"], "--retain-hours must be between 1 and 87600"),
            (["table", "clean-log", .. lake, "--retain-hours", "-3"], "--retain-hours must be between 1 and 87600"),
            (["table", "compact", .. lake, "--partition", "2026-13-01"], "--partition '2026-13-01' is not a dt value"),
            (["table", "compact", .. lake, "--target-mib", "0"], "--target-mib must be between 1 and 1024"),
            (["table", "compact", "--stream", "payouts", "--lake", _root], "--stream 'payouts' is not one of"),
        })
        {
            var (failed, _, error) = await RunAsync(args);
            Assert.Equal(2, failed);
            Assert.Contains(message, error, StringComparison.Ordinal);
        }
        Assert.Equal(["ch_a", "ch_b"], (await RowsAsync()).Select(r => r.Id));
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await JobCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Rows of the table as comparable records, ordered by id.</summary>
    private async Task<List<(string Id, string Row)>> RowsAsync() =>
        [.. (await _table.ReadAllAsync()).Select(r => ((string)r[_table.IndexOf("id")]!, JsonSerializer.Serialize(r))).OrderBy(r => r.Item1, StringComparer.Ordinal)];

    /// <summary>Adds a file to a partition without rewriting it, as another engine's blind append does.</summary>
    private async Task AppendAsync(string partition, string name, params (string Id, long Created)[] charges)
    {
        var table = Tables.FromRows(StreamSchema.Charges.Columns, Batch($"append-{name}", charges));
        using var buffer = new MemoryStream();
        await _format.WriteAsync(buffer, table);
        var path = $"dt={partition}/part-{name}.parquet";
        await _storage.WriteAsync($"{TablePath}/{path}", buffer.ToArray());
        var snapshot = await _table.Log.ReadSnapshotAsync();
        var add = new DeltaAdd(path, new Dictionary<string, string?> { ["dt"] = partition }, buffer.Length, 0, true, DeltaSchema.Stats(table));
        Assert.True(await _table.Log.TryCommitAsync(snapshot.Version + 1, [new DeltaAction { Add = add }], "WRITE"));
    }

    /// <summary>A data file no commit names, as a writer that crashed before its commit leaves.</summary>
    private async Task<string> OrphanAsync(string partition, string name)
    {
        var path = $"dt={partition}/part-{name}.parquet";
        await _storage.WriteAsync($"{TablePath}/{path}", "not committed"u8.ToArray());
        return path;
    }

    private void Age(TimeSpan age, params string[] paths)
    {
        foreach (var path in paths)
        {
            File.SetLastWriteTimeUtc(Path.IsPathRooted(path) ? path : Path.Combine(_root, path), DateTime.UtcNow - age);
        }
    }

    private static IReadOnlyList<object?[]> Batch(string run, params (string Id, long Created)[] charges)
    {
        var transformer = new RecordTransformer(StreamSchema.Charges, run, DateTimeOffset.FromUnixTimeSeconds(Start));
        foreach (var (id, created) in charges)
        {
            Assert.True(transformer.Add(JsonDocument.Parse($$"""{"id":"{{id}}","created":{{created}},"amount":1000}""").RootElement));
        }
        return transformer.Rows;
    }

    /// <summary>Runs <paramref name="before"/> once, just before the first write of a path containing <paramref name="marker"/>.</summary>
    private sealed class BeforeWrite(ILakeStorage inner, string marker, Func<Task> before) : ILakeStorage
    {
        private int _done;

        /// <summary>Deletes the marked file right after writing it (as a vacuum with a too-short retention would).</summary>
        public bool DeleteAfter { get; init; }

        public string Location => inner.Location;

        public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAsync(path, cancellationToken);

        public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

        public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            if (path.Contains(marker, StringComparison.Ordinal) && Interlocked.Exchange(ref _done, 1) == 0)
            {
                await before();
            }
            await inner.WriteAsync(path, content, cancellationToken);
            if (DeleteAfter && path.Contains(marker, StringComparison.Ordinal))
            {
                await inner.DeleteAsync(path, cancellationToken);
            }
        }

        public Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, cancellationToken);

        public Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
            inner.PutIfAbsentAsync(path, content, cancellationToken);

        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListFilesAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeleteFolderAsync(prefix, cancellationToken);
    }

    /// <summary>A storage whose first listing of the table's folder is followed by <paramref name="after"/> (a commit that lands meanwhile).</summary>
    private sealed class AfterList(ILakeStorage inner, Func<Task> after) : Delegating(inner)
    {
        private int _done;

        public override async Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default)
        {
            var files = await base.ListFilesAsync(prefix, cancellationToken);
            if (!prefix.EndsWith(DeltaLog.Folder, StringComparison.Ordinal) && Interlocked.Exchange(ref _done, 1) == 0)
            {
                await after();
            }
            return files;
        }
    }

    /// <summary>A storage that takes the write of <paramref name="path"/> and then fails as a lost answer would.</summary>
    private sealed class LostAnswer(ILakeStorage inner, string path) : Delegating(inner)
    {
        public override async Task<bool> PutIfAbsentAsync(string target, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            var written = await base.PutIfAbsentAsync(target, content, cancellationToken);
            return target.EndsWith(path, StringComparison.Ordinal) ? throw new IOException("the connection was reset before the answer") : written;
        }
    }

    private abstract class Delegating(ILakeStorage inner) : ILakeStorage
    {
        public string Location => inner.Location;

        public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default) => inner.ReadAsync(path, cancellationToken);

        public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

        public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, cancellationToken);

        public virtual Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
            inner.PutIfAbsentAsync(path, content, cancellationToken);

        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public virtual Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListFilesAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeleteFolderAsync(prefix, cancellationToken);
    }
}
