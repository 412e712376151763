using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;
using OpsConsole.Web.Components.Pages.Runs;

namespace OpsConsole.Web.Tests;

public sealed class RunsViewModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Changes_MarkDirtyAndRefreshRebuildsRowsNewestFirst()
    {
        var service = new FakeRunService { Runs = [Run("run-a", RunState.Succeeded, Now.AddMinutes(-10))] };
        using var model = new RunsViewModel(service, new FixedTime(Now));
        await model.LoadAsync();
        Assert.Single(model.Rows);
        Assert.False(model.Refresh());

        service.Raise(Run("run-b", RunState.Running, Now.AddMinutes(-1)) with { Progress = RunProgress.None with { Records = 500, RecordsPerSecond = 99 } });
        service.Raise(Run("run-a", RunState.Failed, Now.AddMinutes(-10)));

        Assert.True(model.Refresh());
        Assert.Equal(["run-b", "run-a"], model.Rows.Select(row => row.Id));
        Assert.Equal("Failed", model.Rows[1].State);
        Assert.Equal(99, model.Rows[0].RecordsPerSecond);
        Assert.True(model.AnyActive);
        Assert.False(model.Refresh());
    }

    [Fact]
    public async Task Dispose_Unsubscribes()
    {
        var service = new FakeRunService();
        var model = new RunsViewModel(service, new FixedTime(Now));
        await model.LoadAsync();

        model.Dispose();

        Assert.False(service.HasSubscribers);
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
        public List<RunInfo> Runs { get; init; } = [];

        public Exception? LaunchError { get; init; }

        public LaunchRequest? LastRequest { get; private set; }

        public bool HasSubscribers => Changed is not null;

        public TimeSpan CancelGracePeriod => TimeSpan.FromSeconds(30);

        public event Action<RunInfo>? Changed;

        public void Raise(RunInfo run) => Changed?.Invoke(run);

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
