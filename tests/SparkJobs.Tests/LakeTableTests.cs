using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.Shared.Lake.Storage.Local;

namespace OpsConsole.SparkJobs.Tests;

public sealed class LakeTableTests : IDisposable
{
    private const long Day = 86_400, Start = 1_790_000_000;
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"opsconsole-lake-{Guid.NewGuid():N}");
    private readonly LocalLakeStorage _storage;
    private readonly LakeTable _table;

    public LakeTableTests()
    {
        _storage = new LocalLakeStorage(_root);
        _table = new LakeTable(_storage, "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Merge_UpdatesAndNewIds_KeepsEveryIdOnceAtItsLatestVersion()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start, 0), ("ch_b", Start, 0), ("ch_c", Start + Day, 0)), "run-1");

        var second = await _table.MergeAsync(Batch("run-2", ("ch_b", Start, 500), ("ch_d", Start + Day, 0), ("ch_b", Start, 700)), "run-2");

        Assert.Equal(1, second.Inserted);
        Assert.Equal(1, second.Replaced);
        var rows = await _table.ReadAllAsync();
        var ids = rows.Select(r => (string)r[_table.IndexOf("id")]!).ToList();
        Assert.Equal(["ch_a", "ch_b", "ch_c", "ch_d"], ids.Order(StringComparer.Ordinal));
        var b = rows.Single(r => (string)r[_table.IndexOf("id")]! == "ch_b");
        Assert.Equal(700L, b[_table.IndexOf("amount_refunded")]);
        Assert.Equal("run-2", b[_table.IndexOf("_run_id")]);
        var snapshot = await _table.Log.ReadSnapshotAsync();
        Assert.Equal(2, snapshot.Files.Count);
        Assert.All(snapshot.Files.Values, f => Assert.StartsWith("dt=2026-", f.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Merge_OlderFetchThanTheTable_DoesNotReplaceTheNewerVersion()
    {
        await _table.MergeAsync(Batch("run-new", ("ch_a", Start, 900)), "run-new");

        var stale = await _table.MergeAsync(Batch("run-old", DateTimeOffset.FromUnixTimeSeconds(Start - 3600), ("ch_a", Start, 0), ("ch_b", Start, 0)), "run-old");

        Assert.Equal(0, stale.Replaced);
        Assert.Equal(1, stale.Inserted);
        var a = (await _table.ReadAllAsync()).Single(r => (string)r[_table.IndexOf("id")]! == "ch_a");
        Assert.Equal(900L, a[_table.IndexOf("amount_refunded")]);
    }

    [Fact]
    public async Task Merge_SameRunAgain_ChangesNothing()
    {
        var first = await _table.MergeAsync(Batch("run-1", ("ch_a", Start, 0)), "run-1");

        var again = await _table.MergeAsync(Batch("run-1", ("ch_a", Start, 99), ("ch_z", Start, 0)), "run-1");

        Assert.True(again.AlreadyCommitted);
        Assert.Equal(first.Version, (await _table.Log.ReadSnapshotAsync()).Version);
        Assert.Single(await _table.ReadAllAsync());
    }

    [Fact]
    public async Task Merge_TwoRunsAtOnce_BothLandWithoutLosingRows()
    {
        await Task.WhenAll(
            _table.MergeAsync(Batch("run-1", [.. Enumerable.Range(0, 50).Select(i => ($"ch_1_{i}", Start + (i % 3 * Day), 0L))]), "run-1"),
            _table.MergeAsync(Batch("run-2", [.. Enumerable.Range(0, 50).Select(i => ($"ch_2_{i}", Start + (i % 3 * Day), 0L))]), "run-2"));

        var ids = (await _table.ReadAllAsync()).Select(r => (string)r[_table.IndexOf("id")]!).ToList();
        Assert.Equal(100, ids.Count);
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(2, (await _table.Log.ReadSnapshotAsync()).Transactions.Count);
    }

    [Fact]
    public async Task Merge_OneIdOnTwoDaysOfOneBatch_CommitsItOnceAtItsLaterOccurrence()
    {
        // The source served ch_a twice in one run with two created values on different UTC days.
        var merge = await _table.MergeAsync(Batch("run-1", ("ch_a", Start, 100), ("ch_b", Start, 0), ("ch_a", Start + (2 * Day), 300)), "run-1");

        var rows = await _table.ReadAllAsync();
        Assert.Equal(["ch_a", "ch_b"], rows.Select(r => (string)r[_table.IndexOf("id")]!).Order(StringComparer.Ordinal));
        var a = rows.Single(r => (string)r[_table.IndexOf("id")]! == "ch_a");
        Assert.Equal(Start + (2 * Day), a[_table.IndexOf("created")]);
        Assert.Equal(300L, a[_table.IndexOf("amount_refunded")]);
        Assert.Equal(2, merge.Inserted);
        Assert.Equal(["ch_a"], merge.Moved.Select(m => m.Id));
    }

    [Fact]
    public async Task Merge_IdAlreadyInAnotherPartition_MovesItAndLeavesNoCopyBehind()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start, 0), ("ch_b", Start, 0), ("ch_c", Start + (5 * Day), 0)), "run-1");

        // A later run sees ch_a with another created (another day), and ch_c moved to a day before its old one.
        var merge = await _table.MergeAsync(Batch("run-2", DateTimeOffset.FromUnixTimeSeconds(Start + 60), ("ch_a", Start + (3 * Day), 50), ("ch_c", Start + Day, 70)), "run-2");

        var rows = await _table.ReadAllAsync();
        Assert.Equal(["ch_a", "ch_b", "ch_c"], rows.Select(r => (string)r[_table.IndexOf("id")]!).Order(StringComparer.Ordinal));
        Assert.Equal(Start + (3 * Day), rows.Single(r => (string)r[_table.IndexOf("id")]! == "ch_a")[_table.IndexOf("created")]);
        Assert.Equal(70L, rows.Single(r => (string)r[_table.IndexOf("id")]! == "ch_c")[_table.IndexOf("amount_refunded")]);
        Assert.Equal(0, merge.Inserted);
        Assert.Equal(2, merge.Replaced);
        // ch_c's old day held nothing else: its file is removed, not rewritten empty.
        var snapshot = await _table.Log.ReadSnapshotAsync();
        Assert.DoesNotContain(snapshot.Files.Values, f => f.PartitionValues["dt"] == LakeTable.PartitionOf(Start + (5 * Day)));
    }

    [Fact]
    public async Task Merge_NewerVersionInAnotherPartition_KeepsTheNewerOne()
    {
        await _table.MergeAsync(Batch("run-new", ("ch_a", Start + (4 * Day), 900)), "run-new");

        // A run resumed from pages fetched before run-new brings ch_a under another day: the table's newer version stays.
        var stale = await _table.MergeAsync(Batch("run-old", DateTimeOffset.FromUnixTimeSeconds(Start - 3600), ("ch_a", Start, 0)), "run-old");

        var rows = await _table.ReadAllAsync();
        var a = Assert.Single(rows);
        Assert.Equal(900L, a[_table.IndexOf("amount_refunded")]);
        Assert.Equal(0, stale.Inserted);
    }

    [Fact]
    public async Task Merge_IntoATableWrittenBeforeCreatedAt_WidensItsSchema_OldFilesReadNullUntilRewritten()
    {
        var before = new StreamSchema("charges", StreamSchema.Charges.Typed, StreamSchema.Charges.KnownUntyped, UnixSeconds: []);
        var old = new LakeTable(_storage, "raw/stripe/charges", before, new ParquetFormat());
        await old.MergeAsync(Batch("run-1", before, DateTimeOffset.FromUnixTimeSeconds(Start), ("ch_a", Start, 0), ("ch_b", Start + Day, 0)), "run-1");
        Assert.DoesNotContain("created_at", (await _table.Log.ReadSnapshotAsync()).Metadata!.SchemaString, StringComparison.Ordinal);

        var merge = await _table.MergeAsync(Batch("run-2", ("ch_c", Start + Day, 0)), "run-2");

        var snapshot = await _table.Log.ReadSnapshotAsync();
        Assert.Contains("{\"name\":\"created_at\",\"type\":\"timestamp\",\"nullable\":true", snapshot.Metadata!.SchemaString, StringComparison.Ordinal);
        Assert.Equal(1, merge.Version);
        var createdAt = (await _table.ReadAllAsync()).ToDictionary(r => (string)r[_table.IndexOf("id")]!, r => r[_table.IndexOf("created_at")]);
        Assert.Null(createdAt["ch_a"]); // its day was not rewritten
        Assert.Equal((Start + Day) * 1_000_000, createdAt["ch_b"]); // rewritten beside ch_c: filled from created
        Assert.Equal((Start + Day) * 1_000_000, createdAt["ch_c"]);
        // The next merge finds the schema current and writes no metaData.
        await _table.MergeAsync(Batch("run-3", ("ch_d", Start, 0)), "run-3");
        Assert.DoesNotContain("metaData", await File.ReadAllTextAsync(Path.Combine(_root, "raw/stripe/charges/_delta_log/00000000000000000002.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Merge_ASchemaThatDropsAColumnTheTableHas_IsRefusedNamingIt_AndWritesNothing()
    {
        await _table.MergeAsync(Batch("run-1", ("ch_a", Start, 0)), "run-1");
        var narrower = new StreamSchema("charges", StreamSchema.Charges.Typed, StreamSchema.Charges.KnownUntyped, UnixSeconds: []);
        var table = new LakeTable(_storage, "raw/stripe/charges", narrower, new ParquetFormat());
        var files = Directory.GetFiles(_root, "*.parquet", SearchOption.AllDirectories).Length;

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() =>
            table.MergeAsync(Batch("run-2", narrower, DateTimeOffset.FromUnixTimeSeconds(Start), ("ch_b", Start, 0)), "run-2"));

        Assert.Equal("The table has column created_at, which the stream's schema no longer has: columns are only added.", exception.Message);
        Assert.Equal(files, Directory.GetFiles(_root, "*.parquet", SearchOption.AllDirectories).Length);
        Assert.Equal(0, (await _table.Log.ReadSnapshotAsync()).Version);
    }

    private static IReadOnlyList<object?[]> Batch(string run, params (string Id, long Created, long Refunded)[] charges) =>
        Batch(run, DateTimeOffset.FromUnixTimeSeconds(Start), charges);

    private static IReadOnlyList<object?[]> Batch(string run, DateTimeOffset ingestedAt, params (string Id, long Created, long Refunded)[] charges) =>
        Batch(run, StreamSchema.Charges, ingestedAt, charges);

    private static IReadOnlyList<object?[]> Batch(string run, StreamSchema schema, DateTimeOffset ingestedAt, params (string Id, long Created, long Refunded)[] charges)
    {
        var transformer = new RecordTransformer(schema, run, ingestedAt);
        foreach (var (id, created, refunded) in charges)
        {
            Assert.True(transformer.Add(JsonDocument.Parse($$"""{"id":"{{id}}","created":{{created}},"amount":1000,"amount_refunded":{{refunded}}}""").RootElement));
        }
        return transformer.Rows;
    }
}
