using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>The run lifecycle against the runner seam, with a fake runner the test drives line by line.</summary>
public sealed class FakeRunnerTests : IDisposable
{
    private readonly FakeJobRunner _runner = new();
    private readonly string _data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"fake-{Guid.NewGuid():N}");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task Run_ProgressThenExit0_RunningWithProgressThenSucceeded_AndTheOutputIsReleased()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();
        Assert.Equal(run.Id, job.Spec.RunId);
        Assert.Contains("sqlite:", string.Join(' ', job.Spec.Arguments), StringComparison.Ordinal);

        job.Write(Line("progress", "records", 250));
        var running = await WaitForAsync(client, run.Id, r => r.Progress.Records == 250);
        Assert.Equal(RunState.Running, running.State);
        job.Write(Line("summary", "records", 300));
        job.End(0);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Succeeded, ended.State);
        Assert.Equal(300, ended.Progress.Records);
        Assert.Equal(["progress", "summary"], (await AllLogLinesAsync(client, run.Id)).Select(l => l.Event));
        await WaitUntilAsync(() => job.Released);
    }

    [Fact]
    public async Task Cancel_JobStopsWithinTheGracePeriod_Cancelled_AndTheStopCarriedTheGracePeriod()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();
        job.Write(Line("progress", "records", 1));
        await WaitForAsync(client, run.Id, r => r.State == RunState.Running);

        await client.PostAsync($"/api/runs/{run.Id}/cancel", null);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.False(ended.Forced);
        Assert.Equal([TimeSpan.FromSeconds(2)], job.Stops);
    }

    [Fact]
    public async Task Cancel_JobEndedByTheSignalBeforeItsHandler_Exit143_CancelledAndItsLeaseReleased()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();
        job.ExitOnGracefulStop = 143;
        // The job took the stream's lease, then SIGTERM ended it (143) before it could release it.
        var state = console.Services.GetRequiredService<OpsConsole.Shared.State.IStateStore>();
        await state.AcquireLeaseAsync("stripe", "charges", $"{run.Id}@vm:1:2:3", TimeSpan.FromMinutes(2));
        job.Write(Line("progress", "records", 1));
        await WaitForAsync(client, run.Id, r => r.State == RunState.Running);

        await client.PostAsync($"/api/runs/{run.Id}/cancel", null);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.Equal(143, ended.ExitCode);
        Assert.Null(await state.GetLeaseAsync("stripe", "charges"));
        Assert.Equal(System.Net.HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/runs", new { stream = "charges" })).StatusCode);
    }

    [Fact]
    public async Task Cancel_JobIgnoresTheStop_IsStoppedAtOnceAfterTheGracePeriod_CancelledAndForced()
    {
        _runner.ObeysGracefulStop = false;
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();
        job.Write(Line("progress", "records", 1));
        await WaitForAsync(client, run.Id, r => r.State == RunState.Running);

        await client.PostAsync($"/api/runs/{run.Id}/cancel", null);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.True(ended.Forced);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.Zero], job.Stops);
    }

    [Fact]
    public async Task Cancel_WhileTheJobStarts_EndsOfTheSignal_IsCancelledNotFailed()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();
        // The job has written nothing yet: the signal ends the process before its own handler runs (exit 143).
        job.ExitOnGracefulStop = 143;

        await client.PostAsync($"/api/runs/{run.Id}/cancel", null);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.Equal(143, ended.ExitCode);
        Assert.Null(ended.FailureReason);
    }

    [Fact]
    public async Task Exit143_WithoutACancel_IsAFailureSayingSo()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();

        job.End(143);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Failed, ended.State);
        Assert.StartsWith("Exit 143 (terminated by SIGTERM)", ended.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RunnerCannotStartTheJob_FailedWithTheReason_AndPricedAtNothing()
    {
        _runner.StartFailure = new InvalidOperationException("no node has room for the job");
        using var console = Console();
        using var client = console.BasicClient("operator");

        var run = await LaunchAsync(client, new { stream = "charges" });

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Failed, ended.State);
        Assert.Equal("The job could not be started: no node has room for the job", ended.FailureReason);
        Assert.Null(ended.Cost);
    }

    [Fact]
    public async Task Exit4_FailedWithTheExitAndTheJobsLastError()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges" });
        var job = await NextJobAsync();

        job.Write("""{"level":"error","source":"driver","event":"log","msg":"The source failed: 503 after 8 retries"}""");
        job.End(4);

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Failed, ended.State);
        Assert.Equal(4, ended.ExitCode);
        Assert.StartsWith("Exit 4 (", ended.FailureReason, StringComparison.Ordinal);
        Assert.EndsWith(": The source failed: 503 after 8 retries", ended.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_FollowingResumesAtTheStoredPosition_EveryLineOnce()
    {
        FakeJob job;
        string id;
        using (var first = Console())
        {
            using var client = first.BasicClient("operator");
            id = (await LaunchAsync(client, new { stream = "charges" })).Id;
            job = await NextJobAsync();
            job.Write(Line("progress", "records", 1), Line("progress", "records", 2), Line("progress", "records", 3));
            await WaitForAsync(client, id, r => r.Progress.Records == 3);
        }
        // Written while no console follows the job.
        job.Write(Line("progress", "records", 4), Line("progress", "records", 5));

        using var second = Console();
        using var operatorClient = second.BasicClient("operator");
        await WaitForAsync(operatorClient, id, r => r.Progress.Records == 5);
        job.End(0);
        await WaitForEndAsync(operatorClient, id);

        var lines = await AllLogLinesAsync(operatorClient, id);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], lines.Select(l => l.Seq));
        Assert.Equal(["", "3"], job.Follows);
    }

    private ConsoleAppFactory Console() => new FakeRunnerConsole(_runner, _data);

    private async Task<FakeJob> NextJobAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _runner.Started.Reader.ReadAsync(timeout.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(20);
        }
        Assert.True(condition());
    }

    private static string Line(string @event, string field, long value) =>
        $$"""{"level":"info","source":"driver","event":"{{@event}}","msg":"{{value}} records","{{field}}":{{value}}}""";

    /// <summary>A console on the data folder of the test whose runner is the test's fake.</summary>
    private sealed class FakeRunnerConsole(FakeJobRunner runner, string data)
        : ConsoleAppFactory(new Dictionary<string, string?> { ["Data:Path"] = data, ["Runner:GracePeriodSeconds"] = "2" })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IJobRunner>(runner));
        }
    }
}
