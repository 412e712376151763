using System.Runtime.CompilerServices;
using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.Shared.State.Sqlite;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Pipeline;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.SparkJobs.Usage;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>The pipeline's steps one at a time, against an in-memory source (no Sandbox, no HTTP).</summary>
public sealed class PipelineStepTests : IDisposable
{
    private const long Day = 86_400, Start = 1_790_000_000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"opsconsole-steps-{Guid.NewGuid():N}");
    private readonly StringWriter _output = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Plan_Incremental_StartsAtTheCheckpointMinusTheLookback_AndKeepsTheWindowForARestart()
    {
        var state = new SqliteStateStore(Path.Combine(_folder, "state.db"));
        await state.WriteCheckpointAsync("stripe", "charges", Start + (3 * Day), 0, "earlier-run", "test");
        var run = await RunAsync(new FakeSource([]), state, now: Start + (4 * Day));

        var plan = await new PlanStep(run).RunAsync(CancellationToken.None);

        Assert.Equal(Start + (3 * Day) - 600, plan.Window.From);
        Assert.Equal(Start + (4 * Day) - 60, plan.Window.To);
        Assert.Equal(SlicePlanner.Plan(plan.Window.From, plan.Window.To, Day), plan.Remaining);
        Assert.Equal(plan.Window, await run.Staging.ReadWindowAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Plan_CheckpointOlderThanTheSourcesEvents_IsRefusedWithWhatToDo()
    {
        var state = new SqliteStateStore(Path.Combine(_folder, "state.db"));
        await state.WriteCheckpointAsync("stripe", "charges", Start, 0, "earlier-run", "test");
        var run = await RunAsync(new FakeSource([]), state, now: Start + (31 * Day));

        var refused = await Assert.ThrowsAsync<RunRefusedException>(() => new PlanStep(run).RunAsync(CancellationToken.None));

        Assert.Contains("--mode full", refused.Message, StringComparison.Ordinal);
        Assert.Null(await run.Staging.ReadWindowAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Plan_FirstRun_StartsAtTheOldestObjectTheSourceHas()
    {
        var source = new FakeSource([Record("ch_old", Start + 12_345), Record("ch_new", Start + (2 * Day))]);
        var run = await RunAsync(source, new SqliteStateStore(Path.Combine(_folder, "state.db")), now: Start + (3 * Day));

        var plan = await new PlanStep(run).RunAsync(CancellationToken.None);

        // At or before the oldest object, and at most 3 slices (a round of the 3 workers' probes) before it.
        Assert.InRange(plan.Window.From, Start + 12_345 - (3 * Day), Start + 12_345);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(999_999_999)]
    [InlineData(Start + (3 * Day) - 120)]
    public async Task Plan_FirstRun_ParallelProbeRounds_StartWithinARoundOfSlicesOfTheOldest_AndLogEachRound(long oldest)
    {
        var source = new FakeSource([Record("ch_old", oldest), Record("ch_new", Start + (3 * Day) - 100)]);
        var run = await RunAsync(source, new SqliteStateStore(Path.Combine(_folder, "state.db")), now: Start + (3 * Day));

        var plan = await new PlanStep(run).RunAsync(CancellationToken.None);

        Assert.InRange(plan.Window.From, oldest - (3 * Day), oldest);
        var rounds = _output.ToString().Split('\n').Count(line => line.Contains("Planning: the oldest charges object was created in", StringComparison.Ordinal));
        // 3 probes a round: the first bounds the age within a factor, each later one splits the interval in 4.
        Assert.InRange(rounds, 1, 16);
        Assert.InRange(source.Probes, rounds, rounds * 3);
    }

    [Fact]
    public async Task Plan_FirstRun_NothingBeforeTheWindowEnd_StartsThereAfterOneRound()
    {
        var source = new FakeSource([Record("ch_new", Start + (3 * Day) - 100)]);
        var run = await RunAsync(source, new SqliteStateStore(Path.Combine(_folder, "state.db")), now: Start + (3 * Day) - 200);

        var plan = await new PlanStep(run).RunAsync(CancellationToken.None);

        Assert.Equal(plan.Window.To, plan.Window.From);
        Assert.Equal(3, source.Probes);
        Assert.Contains("Planning: no charges object was created before", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_FirstRound_LooksBackGeometricallyFromTheEndToTheEpoch()
    {
        var points = PlanStep.FirstRound(to: 1_800_000_000, probes: 8, sliceSeconds: Day);

        Assert.Equal(8, points.Count);
        Assert.Equal(1_800_000_000, points[^1]);
        Assert.Equal(1_800_000_000 - Day, points[^2]);
        Assert.Equal(1, points[0]);
        var distances = points.Select(p => 1_800_000_000.0 - p).Reverse().Skip(1).ToList();
        var ratios = distances.Skip(1).Zip(distances, (next, previous) => next / previous).ToList();
        Assert.All(ratios, ratio => Assert.InRange(ratio, 5.1, 5.4)); // 7 distances from a day to 1.8e9 s: (1.8e9 / 86,400)^(1/6)
    }

    [Fact]
    public async Task Extract_StagesEveryPageAndRecordsEverySlice_SplittingABusyDay()
    {
        // A quiet day and a busy one (450 records: more than 2 pages of 100 a worker is given).
        var records = new List<JsonElement> { Record("ch_quiet", Start + 100) };
        records.AddRange(Enumerable.Range(0, 450).Select(i => Record($"ch_busy_{i:D3}", Start + Day + (i * 190))));
        var state = new SqliteStateStore(Path.Combine(_folder, "state.db"));
        var run = await RunAsync(new FakeSource(records), state, now: Start + (2 * Day) + 60, from: Start, maxSlicePages: 2);
        var plan = await new PlanStep(run).RunAsync(CancellationToken.None);

        await new ExtractStep(run).RunAsync(plan, CancellationToken.None);

        var staged = new List<string>();
        foreach (var slice in (await state.CompletedSlicesAsync("stripe", "charges", "steps", CancellationToken.None)).Select(s => new Slice(s.From, s.To)))
        {
            await run.Staging.ReadSliceAsync(slice, o => staged.Add(o.GetProperty("id").GetString()!), CancellationToken.None);
        }
        Assert.Equal(records.Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal), staged.Order(StringComparer.Ordinal));
        var completed = await state.CompletedSlicesAsync("stripe", "charges", "steps", CancellationToken.None);
        Assert.Equal(451, completed.Sum(s => s.Records));
        Assert.True(completed.Count > 2, $"the busy day was not split: {completed.Count} slices");
        Assert.Contains(Lines().Where(l => l.GetProperty("event").GetString() == "slice"), l => l.TryGetProperty("split_into", out _));
    }

    private async Task<RunContext> RunAsync(ISource source, SqliteStateStore state, long now, long? from = null, int maxSlicePages = 40)
    {
        var storage = new LocalLakeStorage(Path.Combine(_folder, "lake"));
        var options = new IngestOptions
        {
            Stream = StripeStream.Charges, ApiBase = new Uri("http://127.0.0.1:1"), Credentials = StripeCredentials.Key("sk_test_steps"),
            Lake = Path.Combine(_folder, "lake"), State = Path.Combine(_folder, "state.db"), RunId = "steps", From = from, Workers = 3,
            MaxSlicePages = maxSlicePages,
        };
        var table = new LakeTable(storage, options.TablePath, StreamSchema.Charges, new ParquetFormat());
        var checkpoint = await state.GetCheckpointAsync("stripe", "charges");
        return new RunContext(options, new JobLog(_output), state, storage, source, table, checkpoint, new ResourceUsage(), new FixedTime(now));
    }

    private List<JsonElement> Lines() =>
        [.. _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private static JsonElement Record(string id, long created) =>
        JsonDocument.Parse($$"""{"id":"{{id}}","object":"charge","created":{{created}},"amount":100,"currency":"usd"}""").RootElement;

    /// <summary>Records in memory, listed newest first in pages, as a source API would.</summary>
    private sealed class FakeSource(IReadOnlyList<JsonElement> records) : ISource
    {
        public SourceStats Stats { get; } = new();

        public async IAsyncEnumerable<SourcePage> ListAsync(long? createdFrom, long? createdTo, [EnumeratorCancellation] CancellationToken cancellationToken,
            int limit = 100)
        {
            var matching = records.Where(r => r.GetProperty("created").GetInt64() >= (createdFrom ?? long.MinValue)
                                              && r.GetProperty("created").GetInt64() < (createdTo ?? long.MaxValue))
                .OrderByDescending(r => r.GetProperty("created").GetInt64()).ToList();
            for (var i = 0; i == 0 || i < matching.Count; i += limit)
            {
                await Task.Yield();
                var page = matching.Skip(i).Take(limit).ToList();
                var json = JsonSerializer.SerializeToUtf8Bytes(new { data = page, has_more = i + limit < matching.Count });
                yield return new SourcePage(json, JsonDocument.Parse(json));
            }
        }

        public int Probes => _probes;

        private int _probes;

        public Task<bool> AnyCreatedBeforeAsync(long time, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            return Task.FromResult(records.Any(r => r.GetProperty("created").GetInt64() < time));
        }

        public Task<IReadOnlyCollection<string>> ChangedSinceAsync(long since, long createdBefore, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyCollection<string>>([]);

        public Task<JsonElement?> RetrieveAsync(string id, CancellationToken cancellationToken) =>
            Task.FromResult<JsonElement?>(records.FirstOrDefault(r => r.GetProperty("id").GetString() == id));

        public void Dispose()
        {
        }
    }

    private sealed class FixedTime(long unixSeconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
    }
}
