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
    public async Task Load_FiltersAndSortBecomeTheStoreQuery()
    {
        var service = new FakeRunService();
        var model = new RunsViewModel(service, new FixedTime(Now)) { State = "Running", Stream = "refunds", LaunchedBy = " adm ", IdContains = "" };

        await model.LoadAsync(model.Query(page: 2, pageSize: 25, sortBy: nameof(RunRow.Records), descending: false));

        var query = service.LastQuery!;
        Assert.Equal(50, query.Offset);
        Assert.Equal(25, query.Limit);
        Assert.Equal(RunFields.Records, query.SortBy);
        Assert.False(query.Descending);
        Assert.Equal(
            [new RunFilter(RunFields.State, RunFilterOperators.Equal, "Running"), new RunFilter(RunFields.Stream, RunFilterOperators.Equal, "refunds"),
             new RunFilter(RunFields.LaunchedBy, RunFilterOperators.Contains, "adm")],
            query.Filters);
        Assert.True(model.Filtered);
    }

    [Fact]
    public void Query_ColumnTheStoreCannotSort_NewestFirst()
    {
        var model = new RunsViewModel(new FakeRunService(), new FixedTime(Now));

        var query = model.Query(0, 25, nameof(RunRow.Window), descending: false);

        Assert.Equal(RunFields.Created, query.SortBy);
        Assert.True(query.Descending);
        Assert.Empty(query.Filters);
    }

    [Fact]
    public async Task Load_StoreDown_KeepsRowsAndSaysWhy()
    {
        var service = new FakeRunService { Runs = [Run("run-a", RunState.Succeeded, Now)] };
        var model = new RunsViewModel(service, new FixedTime(Now));
        await model.LoadAsync(model.Query(0, 25, null, true));
        service.QueryError = new OpsConsole.Shared.Storage.StoreUnavailableException("The console's database failed: disk I/O error", new IOException("disk"));

        await model.LoadAsync(model.Query(0, 25, null, true));

        Assert.Equal("run-a", Assert.Single(model.Rows).Id);
        Assert.Contains("disk I/O error", model.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batches_ReloadAtMostOnceASecond_ClocksRenderInBetween()
    {
        var time = new FixedTime(Now);
        var service = new FakeRunService();
        var model = new RunsViewModel(service, time);
        await model.LoadAsync(model.Query(0, 25, null, true));

        // Just loaded: the change waits for the next reload; nothing on the page moved.
        Assert.Equal(BatchEffect.None, model.Apply([Run("run-a", RunState.Running, Now)]));
        time.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(BatchEffect.Reload, model.Apply([]));
        await model.LoadAsync(model.Query(0, 25, null, true));
        Assert.Equal(BatchEffect.Render, model.Apply([]));
        time.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(BatchEffect.Reload, model.Apply([Run("run-b", RunState.Running, Now)]));
    }

    [Fact]
    public async Task Follow_ChangeReloads_DisposeStopsWatching()
    {
        var time = new FixedTime(Now);
        var service = new FakeRunService();
        var model = new RunsViewModel(service, time);
        var reloads = Channel.CreateUnbounded<bool>();
        model.Start(() => { reloads.Writer.TryWrite(true); return Task.CompletedTask; }, () => Task.CompletedTask);
        Assert.True(service.Watching);

        service.Push(Run("run-a", RunState.Running, Now));

        Assert.True(await reloads.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await model.DisposeAsync();
        Assert.False(service.Watching);
    }

    [Fact]
    public void Window_OpenWindow_ThePlannedOneOnceKnown()
    {
        var incremental = Run("run-a", RunState.Running, Now);
        Assert.Equal("from the checkpoint (planning)", RunText.Window(incremental));
        Assert.Equal("from the checkpoint", RunText.Window(incremental with { State = RunState.Failed }));

        var planned = incremental with { Progress = RunProgress.None with { PlannedFrom = 1_790_000_000, PlannedTo = 1_790_086_400 } };
        Assert.Equal("2026-09-21 14:13 → 2026-09-22 14:13", RunText.Window(planned));
        Assert.Equal("2026-09-21 14:13 → 2026-09-22 14:13, full sync", RunText.Window(planned with { Mode = "full" }));
        Assert.Equal("2026\u201109\u201121\u00a014:13\u00a0→ 2026\u201109\u201122\u00a014:13", RunText.KeepTimesWhole(RunText.Window(planned)));
    }

    [Fact]
    public void Row_ShortId_IsTheRandomEnd()
    {
        Assert.Equal("ab12cd", RunRow.From(Run("run-20261207-044512-ab12cd", RunState.Running, Now), Now).ShortId);
        Assert.Equal("odd", RunRow.From(Run("odd", RunState.Running, Now), Now).ShortId);
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

    private static RunInfo Run(string id, RunState state, DateTimeOffset created) => FakeRunService.Run(id, state, created);
}
