using System.Text.Json;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.Shared.Lake.Storage.Local;

namespace OpsConsole.SparkJobs.Tests;

public sealed class StagedBatchTests : IDisposable
{
    private const long Midnight = 1_790_035_200; // 2026-09-22T00:00:00Z
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"opsconsole-batch-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Partitions_ComeOnceEachOldestFirst_WithEveryRowOfSlicesThatCrossMidnight()
    {
        var staging = new Staging(new LocalLakeStorage(_root), "raw/stripe/charges", "run-1");
        // Two slices of a day each, not aligned to midnight, and one updated object from an older day.
        var older = new Slice(Midnight - 43_200, Midnight + 43_200);
        var newer = new Slice(Midnight + 43_200, Midnight + 129_600);
        await staging.WriteAsync(staging.PagePath(newer, 0), Charges(("ch_4", Midnight + 129_000), ("ch_3", Midnight + 90_000), ("ch_2", Midnight + 50_000)), default);
        await staging.WriteAsync(staging.PagePath(older, 0), Charges(("ch_1", Midnight + 100), ("ch_0", Midnight - 100)), default);
        await staging.WriteAsync(staging.UpdatesPath(0), Charges(("ch_old", Midnight - (10 * 86_400))), default);
        var batch = new StagedBatch(staging, () => new RecordTransformer(StreamSchema.Charges, "run-1", DateTimeOffset.UnixEpoch), [newer, older]);

        var partitions = new List<string>();
        await foreach (var partition in batch.PartitionsAsync(default))
        {
            partitions.Add($"{partition.Partition}: {string.Join(' ', partition.Rows.Select(r => (string)r[0]!).Order(StringComparer.Ordinal))}");
        }

        Assert.Equal(["2026-09-12: ch_old", "2026-09-21: ch_0", "2026-09-22: ch_1 ch_2", "2026-09-23: ch_3 ch_4"], partitions);
        Assert.Equal(6, batch.Transformer.Count);
    }

    [Fact]
    public async Task Staging_PrettyPrintedSourceObjects_ComeBackWhole()
    {
        // Live Stripe indents its JSON: a staged object must still be one line.
        var staging = new Staging(new LocalLakeStorage(_root), "raw/stripe/charges", "run-1");
        var slice = new Slice(Midnight, Midnight + 86_400);
        using var page = JsonDocument.Parse($$"""
            {
              "data": [
                {
                  "id": "ch_pretty",
                  "created": {{Midnight + 5}},
                  "amount": 100,
                  "metadata": {
                    "order": "A-1"
                  }
                }
              ]
            }
            """);
        await staging.WriteAsync(staging.PagePath(slice, 0), page.RootElement.GetProperty("data").EnumerateArray(), default);
        var batch = new StagedBatch(staging, () => new RecordTransformer(StreamSchema.Charges, "run-1", DateTimeOffset.UnixEpoch), [slice]);

        var rows = new List<object?[]>();
        await foreach (var partition in batch.PartitionsAsync(default))
        {
            rows.AddRange(partition.Rows);
        }

        var row = Assert.Single(rows);
        Assert.Equal("ch_pretty", row[0]);
        Assert.Equal("""{"order":"A-1"}""", row[StreamSchema.Charges.Columns.Select((c, i) => (c, i)).First(x => x.c.Name == "metadata").i]);
    }

    [Fact]
    public async Task Partitions_ARecordOutsideItsSlice_FailsNamingIt()
    {
        var staging = new Staging(new LocalLakeStorage(_root), "raw/stripe/charges", "run-1");
        var slice = new Slice(Midnight, Midnight + 86_400);
        await staging.WriteAsync(staging.PagePath(slice, 0), Charges(("ch_stray", Midnight - 5)), default);
        var batch = new StagedBatch(staging, () => new RecordTransformer(StreamSchema.Charges, "run-1", DateTimeOffset.UnixEpoch), [slice]);

        var error = await Assert.ThrowsAsync<SourceFailedException>(async () =>
        {
            await foreach (var _ in batch.PartitionsAsync(default))
            {
            }
        });

        Assert.Contains("ch_stray", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonElement> Charges(params (string Id, long Created)[] charges) =>
        charges.Select(c => JsonDocument.Parse($$"""{"id":"{{c.Id}}","created":{{c.Created}},"amount":100}""").RootElement);
}
