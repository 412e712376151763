using System.Text.Json;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Storage.Local;

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
        await _log.TryCommitAsync(2, [Add("dt=2026-11-03/x.parquet")], "WRITE");

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => _log.ReadSnapshotAsync());

        Assert.Contains("commit 1 is missing", exception.Message, StringComparison.Ordinal);
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
