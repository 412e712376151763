using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;
using OpsConsole.Web.Components.Pages.Runs;

namespace OpsConsole.Web.Tests;

public sealed class RunsViewModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Batches_RebuildRowsNewestFirst_OneRenderPerBatch()
    {
        var service = new FakeRunService { Runs = [Run("run-a", RunState.Succeeded, Now.AddMinutes(-10))] };
        await using var model = new RunsViewModel(service, new FixedTime(Now));
        var renders = Channel.CreateUnbounded<int>();
        var count = 0;
        await model.StartAsync(() => { renders.Writer.TryWrite(++count); return Task.CompletedTask; });
        Assert.Single(model.Rows);

        service.Batches.Writer.TryWrite([
            Run("run-b", RunState.Running, Now.AddMinutes(-1)) with { Progress = RunProgress.None with { Records = 500, RecordsPerSecond = 99 } },
            Run("run-a", RunState.Failed, Now.AddMinutes(-10)),
        ]);

        Assert.Equal(1, await renders.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["run-b", "run-a"], model.Rows.Select(row => row.Id));
        Assert.Equal("Failed", model.Rows[1].State);
        Assert.Equal(99, model.Rows[0].RecordsPerSecond);
        Assert.True(model.AnyActive);
    }

    [Fact]
    public void EmptyBatch_RendersOnlyWhileARunIsActive()
    {
        var model = new RunsViewModel(new FakeRunService(), new FixedTime(Now));

        Assert.False(model.Apply([]));
        Assert.True(model.Apply([Run("run-a", RunState.Running, Now)]));
        Assert.True(model.Apply([]));
        Assert.True(model.Apply([Run("run-a", RunState.Succeeded, Now)]));
        Assert.False(model.Apply([]));
    }

    [Fact]
    public async Task Dispose_StopsWatching()
    {
        var service = new FakeRunService();
        var model = new RunsViewModel(service, new FixedTime(Now));
        await model.StartAsync(() => Task.CompletedTask);
        Assert.True(service.Watching);

        await model.DisposeAsync();

        Assert.False(service.Watching);
    }

    [Fact]
    public void Row_EndedRun_ShowsAverageRateAndWindow()
    {
        var run = Run("run-a", RunState.Succeeded, Now.AddMinutes(-2)) with
        {
            StartedAt = Now.AddSeconds(-100), EndedAt = Now.AddSeconds(-50), From = 1_790_000_000, To = null,
            Progress = RunProgress.None with { Records = 5000, RecordsPerSecond = 1 },
        };

        var row = RunRow.From(run, Now);

        Assert.Equal(100, row.RecordsPerSecond);
        Assert.Equal(50, row.DurationSeconds);
        Assert.Equal("2026-09-21 14:13 → now", row.Window);
        Assert.False(row.Active);
    }

    [Fact]
    public async Task Launch_FieldRefused_ErrorUnderThatField()
    {
        var service = new FakeRunService { LaunchError = new InvalidFieldException("workers", "must be between 1 and 64 (got 0).") };
        var model = new LaunchViewModel(service, new CallerInfo("operator", ConsoleRole.Operator, "cookie")) { Workers = 0 };

        Assert.Null(await model.LaunchAsync());

        Assert.Equal("must be between 1 and 64 (got 0).", model.Error("workers"));
        Assert.Null(model.Error("stream"));
        Assert.False(model.Busy);
    }

    [Fact]
    public async Task Launch_StreamBusy_NamesTheActiveRun()
    {
        var service = new FakeRunService { LaunchError = new StreamBusyException("stripe", "charges", "run-x") };
        var model = new LaunchViewModel(service, new CallerInfo("operator", ConsoleRole.Operator, "cookie"));

        await model.LaunchAsync();

        Assert.Equal("run-x", model.BusyWith);
        Assert.Contains("run-x", model.Error("stream"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_Valid_SendsUtcWindow()
    {
        var service = new FakeRunService();
        var model = new LaunchViewModel(service, new CallerInfo("operator", ConsoleRole.Operator, "cookie"))
        {
            Stream = "refunds", Mode = "full", From = new DateTime(2026, 1, 2, 3, 4, 0, DateTimeKind.Unspecified), Workers = 3,
        };

        var run = await model.LaunchAsync();

        Assert.NotNull(run);
        var request = service.LastRequest!;
        Assert.Equal("refunds", request.Stream);
        Assert.Equal("full", request.Mode);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero), request.From);
        Assert.Null(request.To);
        Assert.Equal(3, request.Workers);
    }

    private static RunInfo Run(string id, RunState state, DateTimeOffset created) => new()
    {
        Id = id, Source = "stripe", Stream = "charges", Mode = "incremental", Workers = 8, State = state, CreatedAt = created,
        StartedAt = created, LaunchedBy = "operator",
    };

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class FakeRunService : IRunService
    {
        public LaunchDefaults LaunchDefaults { get; } = new("local", "on-demand", "", "");

        public List<RunInfo> Runs { get; init; } = [];

        public Exception? LaunchError { get; init; }

        public LaunchRequest? LastRequest { get; private set; }

        /// <summary>What <see cref="WatchAsync"/> yields: the test writes batches here.</summary>
        public Channel<IReadOnlyList<RunInfo>> Batches { get; } = Channel.CreateUnbounded<IReadOnlyList<RunInfo>>();

        public bool Watching { get; private set; }

        public TimeSpan CancelGracePeriod => TimeSpan.FromSeconds(30);

        public async IAsyncEnumerable<IReadOnlyList<RunInfo>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Watching = true;
            try
            {
                while (true)
                {
                    IReadOnlyList<RunInfo> batch;
                    try
                    {
                        batch = await Batches.Reader.ReadAsync(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                    yield return batch;
                }
            }
            finally
            {
                Watching = false;
            }
        }

        public Task<IReadOnlyList<RunInfo>> ListAsync(int limit = 500, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<RunInfo>>([.. Runs]);

        public Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default) =>
            Task.FromResult(Runs.FirstOrDefault(run => run.Id == id));

        public Task<RunInfo> LaunchAsync(LaunchRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
        {
            LastRequest = request;
            return LaunchError is { } error ? Task.FromException<RunInfo>(error) : Task.FromResult(Run("run-new", RunState.Starting, Now));
        }

        public Task<RunInfo?> CancelAsync(string id, bool force, CallerInfo caller, CancellationToken cancellationToken = default) =>
            Task.FromResult<RunInfo?>(null);

        public Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(string id, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ThroughputPoint>>([]);
    }
}
