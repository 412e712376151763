using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// Automatic retries: which failures retry, the backoff, the same run id across attempts, each attempt's outcome and
/// log, cancelling a waiting run, a restart during the wait, and the notifications. The job is the test's
/// <see cref="FakeJobRunner"/>; the last test runs the real job, killed after two slices.
/// </summary>
public sealed class RunRetryTests
{
    private readonly FakeJobRunner _runner = new();

    private ConsoleAppFactory Console(WebhookReceiver? hooks = null, string? data = null)
    {
        var settings = new Dictionary<string, string?> { ["Runner:GracePeriodSeconds"] = "2" };
        if (hooks is not null)
        {
            settings["Notifications:WebhookUrl"] = hooks.Url;
            settings["Notifications:BackoffSeconds"] = "0.05";
        }
        if (data is not null)
        {
            settings["Data:Path"] = data;
        }
        return ConsoleAppFactory.With(settings, services => services.AddSingleton<IJobRunner>(_runner));
    }

    private async Task<FakeJob> NextJobAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _runner.Started.Reader.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task RetryableFailure_WaitsTheBackoff_ThenTheSameRunIdRunsAgain_AndEachAttemptKeepsItsOutcomeAndLog()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        using var console = Console(hooks);
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges", retries = 2, retryBackoffSeconds = 1 });
        Assert.Equal((1, 3, 1), (run.Attempts, run.MaxAttempts, run.RetryBackoffSeconds));

        var first = await NextJobAsync();
        first.Write("""{"level":"info","source":"driver","event":"log","msg":"attempt one fetching"}""",
            """{"level":"error","source":"driver","event":"log","msg":"The source failed: 503 after 5 tries"}""");
        first.End(4);
        var waiting = await WaitForAsync(client, run.Id, r => r.RetryAt is not null);
        Assert.Equal((RunState.Pending, 1), (waiting.State, waiting.Attempts));
        Assert.Null(waiting.EndedAt);
        var failed = Assert.Single((await client.GetFromJsonAsync<List<RunAttempt>>($"/api/runs/{run.Id}/attempts", Json))!);
        Assert.Equal(("failed", 4, true), (failed.Outcome, failed.ExitCode, failed.Retried));
        Assert.Contains("The source failed: 503 after 5 tries", failed.Reason, StringComparison.Ordinal);
        // The first wait is the backoff, exactly (to the millisecond the store keeps).
        Assert.Equal(TimeSpan.FromSeconds(1), waiting.RetryAt - failed.EndedAt);

        var second = await NextJobAsync();
        Assert.True(DateTimeOffset.UtcNow >= waiting.RetryAt!.Value.AddMilliseconds(-50), "the retry started before its time");
        Assert.Equal(run.Id, second.Spec.RunId);
        Assert.Equal(run.Id, second.Spec.Arguments[second.Spec.Arguments.ToList().IndexOf("--run-id") + 1]);
        second.Write("""{"level":"info","source":"driver","event":"log","msg":"attempt two resuming"}""");
        second.End(0);
        var ended = await WaitForEndAsync(client, run.Id);

        Assert.Equal((RunState.Succeeded, 2, (string?)null, (DateTimeOffset?)null), (ended.State, ended.Attempts, ended.FailureReason, ended.RetryAt));
        Assert.Equal(run.StartedAt, ended.StartedAt);
        var attempts = (await client.GetFromJsonAsync<List<RunAttempt>>($"/api/runs/{run.Id}/attempts", Json))!;
        Assert.Equal([(1, "failed", true), (2, "succeeded", false)], attempts.Select(a => (a.Attempt, a.Outcome!, a.Retried)));
        // Each attempt's log starts at its first line: the first the job's, the second the console's line announcing it.
        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.Equal("attempt one fetching", lines.Single(line => line.Seq == attempts[0].FirstSeq).Msg);
        var announce = lines.Single(line => line.Seq == attempts[1].FirstSeq);
        Assert.Equal(("console", "attempt"), (announce.Source, announce.Event));
        Assert.StartsWith("Attempt 2 of 3 starts: the job resumes run", announce.Msg, StringComparison.Ordinal);
        var retryLine = Assert.Single(lines, line => line.Event == "retry");
        Assert.True(retryLine.Seq < attempts[1].FirstSeq);
        Assert.True(retryLine.Msg.Contains("Attempt 1 of 3 failed: Exit 4 (the source failed after retries): The source failed: 503 after 5 tries. Attempt 2 starts at", StringComparison.Ordinal), retryLine.Msg);
        Assert.Contains(lines, line => line.Msg == "attempt two resuming" && line.Seq > attempts[1].FirstSeq);

        var retrying = Assert.Single(await hooks.ReceivedAsync(1));
        Assert.Equal("run.retrying", retrying.GetProperty("event").GetString());
        Assert.Equal((run.Id, 1, 3), (retrying.GetProperty("data").GetProperty("runId").GetString(), retrying.GetProperty("data").GetProperty("attempt").GetInt32(),
            retrying.GetProperty("data").GetProperty("maxAttempts").GetInt32()));
    }

    [Fact]
    public async Task Backoff_DoublesForEachAttempt_AndExhaustedRetriesFailTheRun_WithANotification()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        using var console = Console(hooks);
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges", retries = 2, retryBackoffSeconds = 1 });

        (await NextJobAsync()).End(5);
        (await NextJobAsync()).End(null); // the pod or process vanished: no exit status
        (await NextJobAsync()).End(4);
        var ended = await WaitForEndAsync(client, run.Id);

        Assert.Equal((RunState.Failed, 3, 4), (ended.State, ended.Attempts, ended.ExitCode));
        var attempts = (await client.GetFromJsonAsync<List<RunAttempt>>($"/api/runs/{run.Id}/attempts", Json))!;
        Assert.Equal([(5, true), ((int?)null, true), (4, false)], attempts.Select(a => (a.ExitCode, a.Retried)));
        // 1 s after the first failure, 2 s after the second.
        Assert.InRange((attempts[1].StartedAt - attempts[0].EndedAt!.Value).TotalSeconds, 1, 2.4);
        Assert.InRange((attempts[2].StartedAt - attempts[1].EndedAt!.Value).TotalSeconds, 2, 3.4);
        var events = (await hooks.ReceivedAsync(4)).Select(e => e.GetProperty("event").GetString()).Order().ToList();
        Assert.Equal(["run.failed", "run.retries_exhausted", "run.retrying", "run.retrying"], events);
    }

    [Fact]
    public async Task OnAControllableClock_EachRetryStartsWhenItsDoubledBackoffIsDue_NotBefore()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var store = console.Services.GetRequiredService<OpsConsole.Server.Runs.IRunStore>();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var retrier = new OpsConsole.Server.Runs.RunRetrier(store, console.Services.GetRequiredService<OpsConsole.Server.Runs.RunLauncher>(),
            console.Services.GetRequiredService<OpsConsole.Server.Runs.RunEvents>(), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OpsConsole.Server.Runs.RunRetrier>.Instance);
        var run = await LaunchAsync(client, new { stream = "charges", retries = 2, retryBackoffSeconds = 600 });

        foreach (var wait in new[] { TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(1200) })
        {
            (await NextJobAsync()).End(4);
            var waiting = await WaitForAsync(client, run.Id, r => r.RetryAt is not null);
            var failedAt = (await store.AttemptsAsync(run.Id))[^1].EndedAt!.Value;
            Assert.Equal(failedAt + wait, waiting.RetryAt);
            clock.SetUtcNow(waiting.RetryAt!.Value.AddMilliseconds(-1));
            await retrier.PassAsync(CancellationToken.None);
            Assert.False(_runner.Started.Reader.TryRead(out _), "an attempt started before its backoff ran out");
            Assert.Equal(RunState.Pending, (await GetAsync(client, run.Id)).State);
            clock.SetUtcNow(waiting.RetryAt.Value);
            await retrier.PassAsync(CancellationToken.None);
            Assert.Equal(RunState.Starting, (await GetAsync(client, run.Id)).State);
        }
        (await NextJobAsync()).End(0);
        Assert.Equal((RunState.Succeeded, 3), ((await WaitForEndAsync(client, run.Id)).State, (await GetAsync(client, run.Id)).Attempts));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(1)]
    public async Task InvalidArguments_BlockedQuality_OrAnyOtherExit_NeverRetry(int exitCode)
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges", retries = 3, retryBackoffSeconds = 1 });

        (await NextJobAsync()).End(exitCode);
        var ended = await WaitForEndAsync(client, run.Id);

        Assert.Equal((RunState.Failed, 1, exitCode), (ended.State, ended.Attempts, ended.ExitCode));
        await Task.Delay(1500);
        Assert.False(_runner.Started.Reader.TryRead(out _));
        Assert.False(Assert.Single((await client.GetFromJsonAsync<List<RunAttempt>>($"/api/runs/{run.Id}/attempts", Json))!).Retried);
    }

    [Fact]
    public async Task CancelledWhileWaiting_EndsAtOnce_AndACancelledAttemptIsNotRetried()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        var waiting = await LaunchAsync(client, new { stream = "charges", retries = 3, retryBackoffSeconds = 60 });
        (await NextJobAsync()).End(4);
        await WaitForAsync(client, waiting.Id, r => r.RetryAt is not null);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/runs/{waiting.Id}/cancel", null)).StatusCode);
        var cancelled = await GetAsync(client, waiting.Id);
        Assert.Equal((RunState.Cancelled, "operator", (DateTimeOffset?)null), (cancelled.State, cancelled.CancelledBy, cancelled.RetryAt));
        Assert.Contains(await AllLogLinesAsync(client, waiting.Id), line => line.Msg.StartsWith("Cancelled by operator while waiting", StringComparison.Ordinal));

        // A running attempt cancelled: its job's exit 130 is the cancel, not a failure to retry.
        var running = await LaunchAsync(client, new { stream = "refunds", retries = 3, retryBackoffSeconds = 1 });
        var job = await NextJobAsync();
        job.Write("""{"level":"info","source":"driver","event":"log","msg":"fetching"}""");
        await WaitForAsync(client, running.Id, r => r.State == RunState.Running);
        await client.PostAsync($"/api/runs/{running.Id}/cancel", null);
        var ended = await WaitForEndAsync(client, running.Id);
        Assert.Equal((RunState.Cancelled, 1), (ended.State, ended.Attempts));
        await Task.Delay(1500);
        Assert.False(_runner.Started.Reader.TryRead(out _));
    }

    [Fact]
    public async Task AConsoleRestartedDuringTheWait_StartsTheNextAttemptWhenItIsDue()
    {
        var data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"retry-{Guid.NewGuid():N}");
        try
        {
            string id;
            using (var before = Console(data: data))
            {
                using var client = before.BasicClient("operator");
                id = (await LaunchAsync(client, new { stream = "charges", retries = 1, retryBackoffSeconds = 4 })).Id;
                (await NextJobAsync()).End(4);
                await WaitForAsync(client, id, r => r.RetryAt is not null);
            }
            using var after = Console(data: data);
            using var again = after.BasicClient("operator");
            // Still waiting, or already started by this console (the one before it is gone).
            Assert.True((await GetAsync(again, id)).State.IsActive());

            var second = await NextJobAsync();
            Assert.Equal(id, second.Spec.RunId);
            second.End(0);
            var ended = await WaitForEndAsync(again, id);
            Assert.Equal((RunState.Succeeded, 2), (ended.State, ended.Attempts));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task RetryFields_AreCheckedAtTheEdge()
    {
        using var console = Console();
        using var client = console.BasicClient("operator");
        foreach (var (body, field) in new (object, string)[]
                 {
                     (new { stream = "charges", retries = 10 }, "retries"),
                     (new { stream = "charges", retries = -1 }, "retries"),
                     (new { stream = "charges", retries = 1, retryBackoffSeconds = 0 }, "retryBackoffSeconds"),
                     (new { stream = "charges", retries = 1, retryBackoffSeconds = 3601 }, "retryBackoffSeconds"),
                 })
        {
            var response = await client.PostAsJsonAsync("/api/runs", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var created = await client.PostAsJsonAsync("/api/schedules", new { name = "nightly", stream = "charges", cron = "0 2 * * *", retries = 2, retryBackoffSeconds = 120 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = (await created.Content.ReadFromJsonAsync<Shared.Schedules.ScheduleInfo>(Json))!;
        Assert.Equal((2, 120), (schedule.Retries, schedule.RetryBackoffSeconds));
        var refused = await client.PostAsJsonAsync("/api/schedules", new { name = "hourly", stream = "charges", cron = "0 * * * *", retries = 12 });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"retries\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealJob_KilledAfterTwoSlices_IsRetried_AndTheSecondAttemptFetchesOnlyTheSlicesLeft()
    {
        // The job kills itself (SIGKILL, as a lost pod) right after recording its second slice, on its first attempt only.
        var folder = Directory.CreateTempSubdirectory("opsconsole-retry-job-").FullName;
        var job = Path.Combine(folder, "job.sh");
        await File.WriteAllTextAsync(job, $"""
            #!/bin/sh
            if [ ! -e crashed-once ]; then touch crashed-once; export SPARKJOBS_CRASH_AT=slice-recorded:2; fi
            exec dotnet "{Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll")}" "$@"
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(job, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        try
        {
            using var console = ConsoleAppFactory.With(new Dictionary<string, string?>
            {
                ["Runner:Job"] = job, ["Sandbox:Charges"] = "600", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0",
            });
            using var client = console.BasicClient("operator");

            var run = await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 1, retries = 1, retryBackoffSeconds = 1 });
            var ended = await WaitForEndAsync(client, run.Id, seconds: 180);

            var lines = await AllLogLinesAsync(client, run.Id);
            Assert.True(ended.State == RunState.Succeeded, $"{ended.State}: {ended.FailureReason}\n{string.Join('\n', lines.Select(line => line.Text))}");
            Assert.Equal((2, 600L), (ended.Attempts, ended.Progress.Records));
            var attempts = (await client.GetFromJsonAsync<List<RunAttempt>>($"/api/runs/{run.Id}/attempts", Json))!;
            Assert.Equal([("failed", (int?)137, true), ("succeeded", 0, false)], attempts.Select(a => (a.Outcome!, a.ExitCode, a.Retried)));
            var firstPlan = Assert.Single(lines, line => line.Event == "plan" && line.Seq < attempts[1].FirstSeq);
            var secondPlan = Assert.Single(lines, line => line.Event == "plan" && line.Seq > attempts[1].FirstSeq);
            Assert.Contains("(0 already done)", firstPlan.Msg, StringComparison.Ordinal);
            Assert.Contains("(2 already done)", secondPlan.Msg, StringComparison.Ordinal);
            Assert.Contains(lines, line => line.Seq > attempts[1].FirstSeq && line.Msg == $"Resuming run {run.Id} with the window its first attempt planned");
            // The kill may come before the second slice's line is written, never before its record.
            Assert.InRange(lines.Count(line => line.Event == "slice" && line.Seq < attempts[1].FirstSeq), 1, 2);
            // The table holds every charge once.
            var table = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/tables/stripe/charges");
            Assert.Equal(600, table.GetProperty("summary").GetProperty("rows").GetInt64());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
