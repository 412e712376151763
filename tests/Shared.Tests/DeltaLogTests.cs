using System.Text.Json;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.TestSupport;

namespace OpsConsole.Shared.Tests;

public sealed class DeltaLogTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"opsconsole-lake-{Guid.NewGuid():N}");
    private readonly LocalLakeStorage _storage;
    private readonly DeltaLog _log;

    public DeltaLogTests()
    {
        _storage = new LocalLakeStorage(_root);
        _log = new DeltaLog(_storage, "raw/stripe/charges");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Commits_ReplayIntoTheLiveFilesAndTransactions()
    {
        Assert.Equal(-1, (await _log.ReadSnapshotAsync()).Version);

        Assert.True(await _log.TryCommitAsync(0, [Protocol(), Metadata(), Add("dt=2026-11-01/part-a.parquet"), Txn("run-1")], "WRITE"));
        Assert.True(await _log.TryCommitAsync(1, [Remove("dt=2026-11-01/part-a.parquet"), Add("dt=2026-11-01/part-b.parquet"), Add("dt=2026-11-02/part-c.parquet"), Txn("run-2")], "MERGE"));

        var snapshot = await _log.ReadSnapshotAsync();
        Assert.Equal(1, snapshot.Version);
        Assert.Equal(["dt=2026-11-01/part-b.parquet", "dt=2026-11-02/part-c.parquet"], snapshot.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["dt"], snapshot.Metadata!.PartitionColumns);
        Assert.Equal(0, snapshot.Transactions["run-1"]);
        Assert.True(snapshot.Transactions.ContainsKey("run-2"));
    }

    [Fact]
    public async Task Commit_SameVersionTwiceAtOnce_OnlyOneWins()
    {
        await _log.TryCommitAsync(0, [Protocol(), Metadata()], "CREATE TABLE");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _log.TryCommitAsync(1, [Add($"dt=2026-11-01/part-{i}.parquet")], "WRITE")));

        Assert.Single(results, won => won);
        Assert.Single((await _log.ReadSnapshotAsync()).Files);
        Assert.DoesNotContain(await _storage.ListAsync("raw"), p => p.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CommitFile_FollowsTheDeltaProtocolShape()
    {
        await _log.TryCommitAsync(0, [Protocol(), Metadata(), Add("dt=2026-11-01/part-a.parquet")], "WRITE");

        var files = await _storage.ListAsync("raw/stripe/charges/_delta_log");
        Assert.Equal(["raw/stripe/charges/_delta_log/00000000000000000000.json"], files);
        var lines = (await File.ReadAllLinesAsync(Path.Combine(_root, files[0]))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines, line => Assert.Single(line.EnumerateObject()));
        Assert.Equal(["protocol", "metaData", "add", "commitInfo"], lines.Select(l => l.EnumerateObject().Single().Name));
        var add = lines[2].GetProperty("add");
        foreach (var field in new[] { "path", "partitionValues", "size", "modificationTime", "dataChange", "stats" })
        {
            Assert.True(add.TryGetProperty(field, out _), $"add has no {field}");
        }
        var schema = JsonDocument.Parse(lines[1].GetProperty("metaData").GetProperty("schemaString").GetString()!).RootElement;
        Assert.Equal("struct", schema.GetProperty("type").GetString());
        Assert.Contains(schema.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "created" && f.GetProperty("type").GetString() == "timestamp");
    }

    [Fact]
    public async Task Snapshot_MissingCommit_IsRefused()
    {
        await _log.TryCommitAsync(0, [Protocol(), Metadata()], "CREATE TABLE");
        await _log.TryCommitAsync(1, [Add("dt=2026-11-02/w.parquet")], "WRITE");
        await _log.TryCommitAsync(2, [Add("dt=2026-11-03/x.parquet")], "WRITE");
        await _storage.DeleteAsync(_log.CommitPath(1));

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => _log.ReadSnapshotAsync());
        var gap = await Assert.ThrowsAsync<InvalidDataException>(() => _log.TryCommitAsync(2, [Add("dt=2026-11-04/y.parquet")], "WRITE"));

        Assert.Contains("commit 1 is missing", exception.Message, StringComparison.Ordinal);
        Assert.Contains("version 1 is not in _delta_log", gap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_DescribeTheFile()
    {
        var stats = JsonDocument.Parse(DeltaSchema.Stats(ParquetTestData.Table(100))).RootElement;

        Assert.Equal(100, stats.GetProperty("numRecords").GetInt32());
        Assert.Equal("ch_00000000", stats.GetProperty("minValues").GetProperty("id").GetString());
        Assert.Equal("ch_00000099", stats.GetProperty("maxValues").GetProperty("id").GetString());
        Assert.Equal(15, stats.GetProperty("nullCount").GetProperty("description").GetInt32());
    }

    [Fact]
    public async Task Storage_PathOutsideTheLake_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.WriteAsync("../escape.txt", new byte[] { 1 }));
    }

    [Fact]
    public async Task EveryTenthCommit_WritesACheckpoint_AndTheSnapshotFromItEqualsTheFullReplay()
    {
        await CommitManyAsync(25);

        Assert.True(File.Exists(Path.Combine(_root, "raw/stripe/charges/_delta_log/00000000000000000010.checkpoint.parquet")));
        Assert.True(File.Exists(Path.Combine(_root, "raw/stripe/charges/_delta_log/00000000000000000020.checkpoint.parquet")));
        Assert.Equal(20, await _log.LastCheckpointAsync());
        using (var last = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_root, "raw/stripe/charges/_delta_log/_last_checkpoint"))))
        {
            Assert.Equal(20, last.RootElement.GetProperty("version").GetInt64());
            Assert.Equal(1 + 1 + 21 + 20, last.RootElement.GetProperty("size").GetInt64()); // protocol, metadata, 21 transactions, 20 live files
        }
        var fromCheckpoint = await _log.ReadSnapshotAsync();
        var atFifteen = await _log.ReadSnapshotAsync(15);
        foreach (var checkpoint in Directory.GetFiles(Path.Combine(_root, "raw/stripe/charges/_delta_log"), "*.checkpoint.parquet"))
        {
            File.Delete(checkpoint);
        }
        var replayed = await _log.ReadSnapshotAsync();

        AssertSame(replayed, fromCheckpoint);
        AssertSame(await _log.ReadSnapshotAsync(15), atFifteen);
        Assert.Equal(24, fromCheckpoint.Version);
        Assert.Equal(20, fromCheckpoint.Files.Count);
        Assert.Equal(25, fromCheckpoint.Transactions.Count);
    }

    [Fact]
    public async Task ADamagedCheckpoint_IsPassedOverForTheOneBefore_AndTheStateIsTheSame()
    {
        await CommitManyAsync(25);
        var expected = await _log.ReadSnapshotAsync();
        await File.WriteAllTextAsync(Path.Combine(_root, "raw/stripe/charges/_delta_log/00000000000000000020.checkpoint.parquet"), "not parquet");
        var log = new DeltaLog(_storage, "raw/stripe/charges");

        AssertSame(expected, await log.ReadSnapshotAsync());
        Assert.Equal(1, log.UnreadableCheckpoints);
    }

    [Fact]
    public async Task ACheckpointThatCannotBeWritten_LeavesItsCommitStanding_AndSaysWhy()
    {
        var failing = new CountingStorage(_storage) { FailCheckpoints = true };
        var log = new DeltaLog(failing, "raw/stripe/charges");
        Assert.True(await log.TryCommitAsync(0, [Protocol(), Metadata(), Txn("run-0")], "CREATE TABLE"));
        for (var v = 1; v <= 10; v++)
        {
            Assert.True(await log.TryCommitAsync(v, [Add($"dt=2026-11-01/part-{v}.parquet"), Txn($"run-{v}")], "WRITE"));
        }

        Assert.Equal(1, log.CheckpointFailures);
        Assert.Equal("the checkpoint of version 10 could not be written: the disk is full", log.LastCheckpointFailure);
        var snapshot = await _log.ReadSnapshotAsync();
        Assert.Equal(10, snapshot.Version);
        Assert.Equal(10, snapshot.Files.Count);
        Assert.Null(await _log.LastCheckpointAsync());
    }

    [Fact]
    public void Evolve_AColumnMadeRequired_IsRefusedNamingIt()
    {
        var metadata = new DeltaMetadata("t", new DeltaFormat("parquet", []), DeltaSchema.SchemaString(ParquetTestData.Columns, ["dt"]), ["dt"], [], 0);
        OpsConsole.Shared.Lake.Parquet.ParquetColumn[] stricter = [.. ParquetTestData.Columns.Select(c => c.Name == "amount" ? c with { Nullable = false } : c)];

        var exception = Assert.Throws<InvalidDataException>(() => DeltaSchema.Evolve(metadata, stricter));

        Assert.Equal("Column amount is nullable in the table but not in the stream's schema: earlier files may hold nulls in it.", exception.Message);
        Assert.Null(DeltaSchema.Evolve(metadata, ParquetTestData.Columns));
    }

    [Fact]
    public async Task SnapshotAfter1000Commits_ReadsTheCheckpointAndTheCommitsAfterIt()
    {
        await CommitManyAsync(1000);
        var counting = new CountingStorage(_storage);

        var snapshot = await new DeltaLog(counting, "raw/stripe/charges").ReadSnapshotAsync();

        Assert.Equal(999, snapshot.Version);
        Assert.Equal(["raw/stripe/charges/_delta_log/00000000000000000990.checkpoint.parquet", .. Enumerable.Range(991, 9).Select(v => $"raw/stripe/charges/_delta_log/{v:D20}.json")],
            counting.Reads);
        Assert.Equal(20, snapshot.Files.Count);
    }

    [Fact]
    public async Task Checkpoint_IsParquetInTheProtocolsColumns_AsDuckDbReadsIt()
    {
        await CommitManyAsync(11);
        var path = Path.Combine(_root, "raw/stripe/charges/_delta_log/00000000000000000010.checkpoint.parquet");

        var types = (await NodeTools.RunJsonAsync("parquet-read.mjs", "hyparquet", path)).GetProperty("duckdb").GetProperty("types");

        Assert.Equal("STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)", types.GetProperty("txn").GetString());
        Assert.Equal("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR)",
            types.GetProperty("add").GetString());
        Assert.Equal("STRUCT(id VARCHAR, format STRUCT(provider VARCHAR, \"options\" MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], \"configuration\" MAP(VARCHAR, VARCHAR), createdTime BIGINT)",
            types.GetProperty("metaData").GetString());
        Assert.Equal("STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)", types.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Snapshot_AsOfAVersionThatDoesNotExist_IsRefusedNamingTheNewest()
    {
        await CommitManyAsync(3);

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => _log.ReadSnapshotAsync(7));

        Assert.Equal("raw/stripe/charges: there is no version 7 (the newest is 2).", exception.Message);
    }

    /// <summary>Version 0 creates the table; each later one replaces one of 20 daily files and records its run.</summary>
    private async Task CommitManyAsync(int commits)
    {
        Assert.True(await _log.TryCommitAsync(0, [Protocol(), Metadata(), .. Enumerable.Range(1, 20).Select(d => Add($"dt=2026-11-{d:D2}/part-0.parquet")), Txn("run-0")], "CREATE TABLE"));
        for (var v = 1; v < commits; v++)
        {
            var day = $"2026-11-{(v % 20) + 1:D2}";
            Assert.True(await _log.TryCommitAsync(v, [Remove($"dt={day}/part-{(v > 20 ? v - 20 : 0)}.parquet"), Add($"dt={day}/part-{v}.parquet"), Txn($"run-{v}")], "MERGE"));
        }
    }

    private static void AssertSame(DeltaSnapshot expected, DeltaSnapshot actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Protocol, actual.Protocol);
        Assert.Equal(expected.Metadata!.SchemaString, actual.Metadata!.SchemaString);
        Assert.Equal(expected.Metadata.Id, actual.Metadata.Id);
        Assert.Equal(expected.Metadata.PartitionColumns, actual.Metadata.PartitionColumns);
        Assert.Equal(expected.Files.Keys.Order(StringComparer.Ordinal), actual.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, add) in expected.Files)
        {
            Assert.Equal(JsonSerializer.Serialize(add), JsonSerializer.Serialize(actual.Files[path]));
        }
        Assert.Equal(expected.Transactions.OrderBy(t => t.Key, StringComparer.Ordinal), actual.Transactions.OrderBy(t => t.Key, StringComparer.Ordinal));
    }

    /// <summary>The lake storage, recording which files are read (and, when asked, failing checkpoint writes).</summary>
    private sealed class CountingStorage(OpsConsole.Shared.Lake.Storage.ILakeStorage inner) : OpsConsole.Shared.Lake.Storage.ILakeStorage
    {
        public List<string> Reads { get; } = [];

        /// <summary>Checkpoint files cannot be written (as on a full disk).</summary>
        public bool FailCheckpoints { get; init; }

        public string Location => inner.Location;

        public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default)
        {
            Reads.Add(path);
            return inner.ReadAsync(path, cancellationToken);
        }

        public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

        public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
            FailCheckpoints && path.EndsWith(".checkpoint.parquet", StringComparison.Ordinal) ? throw new IOException("the disk is full") : inner.WriteAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, cancellationToken);

        public Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
            inner.PutIfAbsentAsync(path, content, cancellationToken);

        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task<IReadOnlyList<OpsConsole.Shared.Lake.Storage.LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default) =>
            inner.ListFilesAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default) => inner.DeleteFolderAsync(prefix, cancellationToken);
    }

    private static DeltaAction Protocol() => new() { Protocol = new DeltaProtocol(1, 2) };

    private static DeltaAction Metadata() => new()
    {
        MetaData = new DeltaMetadata(Guid.NewGuid().ToString(), new DeltaFormat("parquet", []),
            DeltaSchema.SchemaString(ParquetTestData.Columns, ["dt"]), ["dt"], [], 0),
    };

    private static DeltaAction Add(string path) => new()
    {
        Add = new DeltaAdd(path, new Dictionary<string, string?> { ["dt"] = path[3..13] }, 100, 0, true, DeltaSchema.Stats(ParquetTestData.Table(3))),
    };

    private static DeltaAction Remove(string path) => new()
    {
        Remove = new DeltaRemove(path, 0, true, true, new Dictionary<string, string?> { ["dt"] = path[3..13] }, 100),
    };

    private static DeltaAction Txn(string run) => new() { Txn = new DeltaTransaction(run, 0, 0) };
}
