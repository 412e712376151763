using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Server.Notifications;
using OpsConsole.Server.Runners;
using OpsConsole.Server.Runs;
using OpsConsole.Server.Schedules;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.State.Sqlite;
using OpsConsole.Shared.Validation;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The scheduler on a controllable clock: each test's console runs the fake runner, its own scheduler is off, and the
/// test drives a <see cref="Scheduler"/> over the console's real stores with a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class SchedulerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 0, 30, TimeSpan.Zero);

    private readonly FakeJobRunner _runner = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"sched-{Guid.NewGuid():N}");

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

    [Theory]
    [InlineData("0 25 * * *", "field 2 (hour) at position 3: '25'")]
    [InlineData("0  2 * 13 *", "field 4 (month) at position 8: '13'")]
    [InlineData("*/5 * * *", "has 4 fields; it needs 5")]
    [InlineData("0 */5 * * * *", "has 6 fields")]
    [InlineData("0 2 30 2 *", "never fires")]
    [InlineData("@often", "is not a macro")]
    [InlineData("", "is required")]
    public void Cron_Invalid_TheErrorNamesTheCronFieldAndWhere(string cron, string expected)
    {
        var error = Assert.Throws<InvalidFieldException>(() => CronSchedule.Parse(cron, "UTC"));
        Assert.Equal("cron", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeZone_Unknown_TheErrorNamesTheTimeZone()
    {
        var error = Assert.Throws<InvalidFieldException>(() => CronSchedule.Parse("0 2 * * *", "Mars/Olympus"));
        Assert.Equal("timeZone", error.Field);
        Assert.Contains("'Mars/Olympus' is not an IANA time zone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FireTimes_AcrossBerlinsDaylightSavingChanges_TheMissingHourFiresAtTheJump_TheRepeatedHourFiresOnce()
    {
        var cron = CronSchedule.Parse("30 2 * * *", "Europe/Berlin");

        // 2027-03-28: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
        var spring = cron.Between(new DateTimeOffset(2027, 3, 26, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 29, 12, 0, 0, TimeSpan.Zero)).ToList();
        Assert.Equal(
        [
            new DateTimeOffset(2027, 3, 27, 1, 30, 0, TimeSpan.Zero), // 02:30 CET
            new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), // 03:00 CEST, the jump
            new DateTimeOffset(2027, 3, 29, 0, 30, 0, TimeSpan.Zero), // 02:30 CEST
        ], spring);

        // 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 02:30 happens twice; the schedule fires once that day.
        var autumn = cron.Between(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 26, 12, 0, 0, TimeSpan.Zero)).ToList();
        Assert.Equal(2, autumn.Count);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), autumn[0]); // the first 02:30 (CEST)
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), autumn[1]); // 02:30 CET
    }

    [Fact]
    public async Task Scheduler_DailyInBerlinThroughTheSpringChange_LaunchesOneRunADay_AtTheRightInstants()
    {
        _time.SetUtcNow(new DateTimeOffset(2027, 3, 26, 12, 0, 0, TimeSpan.Zero));
        using var console = Console();
        await CreateAsync(console, Definition("nightly", "30 2 * * *", zone: "Europe/Berlin"));
        var scheduler = SchedulerOf(console);
        var launched = new List<(DateTimeOffset At, string RunId)>();
        using var client = console.BasicClient("viewer");
        for (var hour = 0; hour < 72; hour++)
        {
            _time.Advance(TimeSpan.FromMinutes(30));
            await scheduler.TickAsync();
            _time.Advance(TimeSpan.FromMinutes(30));
            await scheduler.TickAsync();
            while (_runner.Started.Reader.TryRead(out var job))
            {
                launched.Add((_time.GetUtcNow(), job.Spec.RunId));
                job.End(0);
                await WaitForEndAsync(client, job.Spec.RunId);
            }
        }

        var fires = await console.Services.GetRequiredService<IScheduleService>().FiresAsync("nightly");
        Assert.Equal(
        [
            new DateTimeOffset(2027, 3, 29, 0, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2027, 3, 27, 1, 30, 0, TimeSpan.Zero),
        ], fires.Select(fire => fire.FireAt));
        Assert.All(fires, fire => Assert.Equal(FireOutcomes.Launched, fire.Outcome));
        Assert.Equal(fires.Select(fire => fire.RunId).Order(), launched.Select(l => l.RunId).Order());
        var run = await GetAsync(client, launched[0].RunId);
        Assert.Equal("schedule:nightly", run.LaunchedBy);
    }

    [Theory]
    [InlineData(CatchUpPolicies.None, 0)]
    [InlineData(CatchUpPolicies.Latest, 1)]
    [InlineData(CatchUpPolicies.All, 5)]
    public async Task CatchUp_AfterAThreeDayGap_LaunchesWhatThePolicySays_OneAfterAnother_AndNotifiesTheMissedTimes(string policy, int runs)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var console = Console(receiver.Url);
        await CreateAsync(console, Definition("hourly", "0 * * * *", catchUp: policy, catchUpLimit: 5));
        var scheduler = SchedulerOf(console);
        using var client = console.BasicClient("viewer");

        _time.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(30)); // 72 fire times passed, the last 30 minutes ago
        var started = new List<string>();
        for (var i = 0; i < runs + 2; i++)
        {
            await scheduler.TickAsync();
            if (_runner.Started.Reader.TryRead(out var job))
            {
                started.Add(job.Spec.RunId);
                Assert.False(_runner.Started.Reader.TryRead(out _), "one run at a time on a stream");
                job.End(0);
                await WaitForEndAsync(client, job.Spec.RunId);
            }
        }

        Assert.Equal(runs, started.Count);
        var fires = await console.Services.GetRequiredService<IScheduleService>().FiresAsync("hourly", 500);
        Assert.Equal(72, fires.Count);
        var launched = fires.Where(fire => fire.Outcome == FireOutcomes.Launched).OrderBy(fire => fire.FireAt).ToList();
        Assert.Equal(runs, launched.Count);
        Assert.Equal(fires.Take(runs).Select(fire => fire.FireAt).Order(), launched.Select(fire => fire.FireAt)); // the newest ones
        Assert.Equal(started, launched.Select(fire => fire.RunId)); // oldest first
        Assert.Equal(72 - runs, fires.Count(fire => fire.Outcome == FireOutcomes.Missed));
        var notice = Assert.Single(await receiver.ReceivedAsync(1));
        Assert.Equal("schedule.missed", notice.GetProperty("event").GetString());
        Assert.Equal(72 - runs, notice.GetProperty("data").GetProperty("count").GetInt32());
        Assert.Equal("not_scheduling", notice.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Overlap_Skip_TheFireTimeIsSkippedWhileTheStreamIsBusy_NamingTheRun()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var console = Console(receiver.Url);
        await CreateAsync(console, Definition("every-minute", "* * * * *", overlap: OverlapPolicies.Skip));
        var manual = await LaunchAsync(console.BasicClient("operator"), new { stream = "charges" });
        var scheduler = SchedulerOf(console);

        _time.Advance(TimeSpan.FromSeconds(40));
        await scheduler.TickAsync();

        var fire = Assert.Single(await console.Services.GetRequiredService<IScheduleService>().FiresAsync("every-minute"));
        Assert.Equal(FireOutcomes.Skipped, fire.Outcome);
        Assert.Equal($"the stream was busy with run {manual.Id}", fire.Detail);
        var notice = Assert.Single(await receiver.ReceivedAsync(1));
        Assert.Equal("overlap_skipped", notice.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Overlap_Queue_OneFireWaitsForTheRun_ALaterOneIsSkipped_ThenItLaunches()
    {
        using var console = Console();
        await CreateAsync(console, Definition("every-minute", "* * * * *", overlap: OverlapPolicies.Queue));
        using var client = console.BasicClient("operator");
        var manual = await LaunchAsync(client, new { stream = "charges" });
        var job = await _runner.Started.Reader.ReadAsync();
        var scheduler = SchedulerOf(console);

        _time.Advance(TimeSpan.FromSeconds(40)); // 09:01
        await scheduler.TickAsync();
        _time.Advance(TimeSpan.FromMinutes(1)); // 09:02
        await scheduler.TickAsync();
        var fires = await console.Services.GetRequiredService<IScheduleService>().FiresAsync("every-minute");
        Assert.Equal([FireOutcomes.Skipped, FireOutcomes.Pending], fires.Select(fire => fire.Outcome)); // newest first
        Assert.False(_runner.Started.Reader.TryRead(out _));

        job.End(0);
        await WaitForEndAsync(client, manual.Id);
        await scheduler.TickAsync();
        var next = await _runner.Started.Reader.ReadAsync();
        fires = await console.Services.GetRequiredService<IScheduleService>().FiresAsync("every-minute");
        Assert.Equal(FireOutcomes.Launched, fires[1].Outcome);
        Assert.Equal(next.Spec.RunId, fires[1].RunId);
    }

    [Fact]
    public async Task Overlap_Cancel_TheRunningRunIsCancelled_ThenTheFireLaunches()
    {
        using var console = Console();
        await CreateAsync(console, Definition("every-minute", "* * * * *", overlap: OverlapPolicies.Cancel));
        using var client = console.BasicClient("operator");
        var manual = await LaunchAsync(client, new { stream = "charges" });
        var job = await _runner.Started.Reader.ReadAsync();
        var scheduler = SchedulerOf(console);

        _time.Advance(TimeSpan.FromSeconds(40));
        await scheduler.TickAsync();
        var cancelled = await WaitForEndAsync(client, manual.Id); // the fake job obeys the graceful stop
        Assert.Equal((RunState.Cancelled, "schedule:every-minute"), (cancelled.State, cancelled.CancelledBy));
        await scheduler.TickAsync();

        var next = await _runner.Started.Reader.ReadAsync();
        var fire = Assert.Single(await console.Services.GetRequiredService<IScheduleService>().FiresAsync("every-minute"));
        Assert.Equal((FireOutcomes.Launched, next.Spec.RunId), (fire.Outcome, fire.RunId));
        Assert.True(job.Ended);
    }

    [Fact]
    public async Task Jitter_DelaysTheLaunchWithinTheBound_TheSameForAFireTimeEverywhere()
    {
        var at = new DateTimeOffset(2027, 3, 1, 9, 1, 0, TimeSpan.Zero);
        var delays = Enumerable.Range(0, 50).Select(i => Scheduler.Jitter("s", at.AddMinutes(i), 120)).ToList();
        Assert.All(delays, delay => Assert.InRange(delay, TimeSpan.Zero, TimeSpan.FromSeconds(120)));
        Assert.True(delays.Distinct().Count() > 40, "the delays spread");
        Assert.Equal(Scheduler.Jitter("s", at, 120), Scheduler.Jitter("s", at, 120));
        Assert.Equal(TimeSpan.Zero, Scheduler.Jitter("s", at, 0));

        using var console = Console();
        await CreateAsync(console, Definition("jittered", "* * * * *", jitter: 120));
        var scheduler = SchedulerOf(console);
        var delay = Scheduler.Jitter("jittered", at, 120);
        _time.SetUtcNow(at + delay - TimeSpan.FromMilliseconds(1));
        await scheduler.TickAsync();
        Assert.False(_runner.Started.Reader.TryRead(out _));
        _time.SetUtcNow(at + delay);
        await scheduler.TickAsync();
        Assert.True(_runner.Started.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Pause_NoFireTimeLaunches_Resume_FiresFromThenOn_NotForThePausedTime()
    {
        using var console = Console();
        await CreateAsync(console, Definition("hourly", "0 * * * *", catchUp: CatchUpPolicies.All));
        // The service on the test's clock, as the scheduler is.
        var schedules = new ScheduleService(console.Services.GetRequiredService<SqliteScheduleStore>(),
            console.Services.GetRequiredService<OpsConsole.Shared.Audit.IAuditLog>(), _time, NullLogger<ScheduleService>.Instance);
        var scheduler = SchedulerOf(console);
        var caller = new OpsConsole.Shared.Auth.CallerInfo("operator", OpsConsole.Shared.Auth.ConsoleRole.Operator, "test");
        await schedules.SetEnabledAsync("hourly", false, caller);
        _time.Advance(TimeSpan.FromHours(5));
        await scheduler.TickAsync();
        Assert.Empty(await schedules.FiresAsync("hourly"));

        var resumed = await schedules.SetEnabledAsync("hourly", true, caller);
        await scheduler.TickAsync();
        Assert.Empty(await schedules.FiresAsync("hourly"));
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 15, 0, 0, TimeSpan.Zero), resumed.NextFireAt); // resumed at 14:00:30
    }

    [Fact]
    public async Task Leader_OneHolderAtATime_ACrashedLeaderIsReplacedWhenItsLeaseRunsOut_AndLearnsItLostIt()
    {
        var state = new SqliteStateStore(Path.Combine(Directory.CreateDirectory(_data).FullName, "state.db"), _time);
        var options = Options.Create(new ScheduleOptions { LeaseSeconds = 30 });
        var a = new SchedulerLeader(state, _time, options, NullLogger<SchedulerLeader>.Instance);
        var b = new SchedulerLeader(state, _time, options, NullLogger<SchedulerLeader>.Instance);

        Assert.True(await a.HoldAsync(default));
        Assert.False(await b.HoldAsync(default));
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(await a.HoldAsync(default)); // renewed at a third of the lease
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(await b.HoldAsync(default)); // the renewal counts

        // A stops (a crash: no release); B takes over once the lease ran out, and A, back, learns it is not the scheduler.
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await b.HoldAsync(default));
        Assert.False(await a.HoldAsync(default));
        Assert.False(a.IsLeader);

        // A leader that stops cleanly hands over at once.
        await b.ReleaseAsync();
        Assert.True(await a.HoldAsync(default));
    }

    [Fact]
    public async Task TwoConsolesOnOneStore_EveryFireTimeLaunchesExactlyOneRun_EvenWhenBothSchedulersPass()
    {
        using var first = Console();
        using var second = Console();
        await CreateAsync(first, Definition("every-minute", "* * * * *", overlap: OverlapPolicies.Queue));
        var schedulers = new[] { SchedulerOf(first), SchedulerOf(second) };
        using var client = first.BasicClient("viewer");
        var started = new List<string>();
        for (var minute = 0; minute < 10; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            // Both pass at once, as two leaders would in a split second of a failover: the store lets one through.
            await Task.WhenAll(schedulers.Select(scheduler => Task.Run(() => scheduler.TickAsync())));
            await Task.WhenAll(schedulers.Select(scheduler => Task.Run(() => scheduler.TickAsync())));
            while (_runner.Started.Reader.TryRead(out var job))
            {
                started.Add(job.Spec.RunId);
                job.End(0);
                await WaitForEndAsync(client, job.Spec.RunId);
            }
        }

        var fires = await first.Services.GetRequiredService<IScheduleService>().FiresAsync("every-minute");
        Assert.Equal(10, fires.Count);
        Assert.All(fires, fire => Assert.Equal(FireOutcomes.Launched, fire.Outcome));
        Assert.Equal(10, started.Distinct().Count());
        Assert.Equal(fires.Select(fire => fire.RunId).Order(), started.Order());
    }

    [Fact]
    public async Task TwoRunningConsoles_OneIsTheScheduler_EachFireTimeLaunchesOnce_AndTheOtherTakesOverWhenItStops()
    {
        var live = new Dictionary<string, string?> { ["Schedules:Scheduler"] = "true", ["Schedules:LeaseSeconds"] = "2", ["Schedules:TickSeconds"] = "0.2" };
        var first = Console(extra: live);
        using var second = Console(extra: live);
        var leaders = new[] { first, second }.Select(console => console.Services.GetRequiredService<SchedulerLeader>()).ToArray();
        await WaitUntilAsync(() => leaders.Count(leader => leader.IsLeader) == 1);
        var leading = leaders[0].IsLeader ? first : second;
        var other = leading == first ? second : first;
        await Task.Delay(500);
        Assert.Single(leaders, leader => leader.IsLeader);

        // An every-minute schedule created five minutes ago: its three latest missed fire times catch up at once (and one
        // on time waits in the queue), one run each, one after another; none waits for a minute to turn.
        using var client = other.BasicClient("viewer");
        var store = other.Services.GetRequiredService<SqliteScheduleStore>();
        Assert.True(await store.InsertAsync(Definition("live", "* * * * *", overlap: OverlapPolicies.Queue, catchUp: CatchUpPolicies.All, catchUpLimit: 3), "operator",
            DateTimeOffset.UtcNow.AddMinutes(-5)));
        var runs = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (runs.Count < 3)
        {
            var job = await _runner.Started.Reader.ReadAsync(timeout.Token);
            runs.Add(job.Spec.RunId);
            job.End(0);
            await WaitForEndAsync(client, job.Spec.RunId);
        }
        // Paused, so a minute that turns meanwhile adds no fire time to wait for (one already due is recorded as skipped).
        var definition = (await store.GetAsync("live"))!.Definition;
        Assert.True(await store.UpdateAsync(definition with { Enabled = false }, "operator", DateTimeOffset.UtcNow));
        await Task.Delay(1000);
        while (_runner.Started.Reader.TryRead(out var late))
        {
            runs.Add(late.Spec.RunId);
            late.End(0);
            await WaitForEndAsync(client, late.Spec.RunId);
        }
        var fires = await store.FiresAsync("live", 10);
        Assert.InRange(fires.Count(fire => fire.Outcome == FireOutcomes.Launched), 3, 5);
        Assert.Equal(runs.Count, runs.Distinct().Count());
        Assert.Equal(runs.Order(), fires.Where(fire => fire.RunId is not null).Select(fire => fire.RunId).Order());
        Assert.All(fires.Where(fire => fire.Outcome == FireOutcomes.Launched), fire => Assert.NotNull(fire.RunId));
        Assert.All(fires, fire => Assert.Contains(fire.Outcome, new[] { FireOutcomes.Launched, FireOutcomes.Skipped }));

        // The scheduler's console stops: the other takes the lease and launches the next fire time.
        leading.Dispose();
        var successor = leading == first ? leaders[1] : leaders[0];
        await WaitUntilAsync(() => successor.IsLeader);
        Assert.True(await store.InsertAsync(Definition("after", "* * * * *"), "operator", DateTimeOffset.UtcNow.AddSeconds(-61)));
        var next = await _runner.Started.Reader.ReadAsync(timeout.Token);
        // Created 61 s back, it may have one fire time or two (a minute that turns meanwhile): the run is one fire's.
        for (var i = 0; i < 100 && !(await store.FiresAsync("after", 10)).Any(fire => fire.RunId == next.Spec.RunId); i++)
        {
            await Task.Delay(50); // the fire records its run once the launch returns
        }
        Assert.Single(await store.FiresAsync("after", 10), fire => fire.RunId == next.Spec.RunId);
        next.End(0);
        await WaitForEndAsync(client, next.Spec.RunId);
        if (leading != first)
        {
            first.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition(), "the condition did not hold within 10 s");
    }

    [Fact]
    public async Task Api_CreatesListsPreviewsPausesAndDeletes_EveryChangeAudited_BadFieldsNamed()
    {
        using var console = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Data:Path"] = _data, ["Schedules:Scheduler"] = "false" },
            services => services.AddSingleton<IJobRunner>(_runner));
        using var operatorClient = console.BasicClient("operator");
        using var viewer = console.BasicClient("viewer");

        var preview = await viewer.GetFromJsonAsync<List<DateTimeOffset>>("/api/schedules/preview?cron=" + Uri.EscapeDataString("0 6 * * 1-5") + "&timeZone=America/New_York&count=5");
        Assert.Equal(5, preview!.Count);
        Assert.All(preview, at => Assert.Equal(6, TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).Hour));
        var badPreview = await viewer.GetAsync("/api/schedules/preview?cron=" + Uri.EscapeDataString("0 6 * * MON-FRY"));
        Assert.Equal(HttpStatusCode.BadRequest, badPreview.StatusCode);
        Assert.Contains("field 5 (day of week) at position 9", await badPreview.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var refused = await viewer.PostAsJsonAsync("/api/schedules", new { name = "nightly", stream = "charges", cron = "0 2 * * *" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        foreach (var (body, field) in new (object Body, string Field)[]
                 {
                     (new { name = "Nightly!", stream = "charges", cron = "0 2 * * *" }, "name"),
                     (new { name = "nightly", stream = "invoices", cron = "0 2 * * *" }, "stream"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * *" }, "cron"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * * *", timeZone = "Berlin" }, "timeZone"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * * *", overlap = "allow" }, "overlap"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * * *", catchUp = "some" }, "catchUp"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * * *", catchUpLimit = 0 }, "catchUpLimit"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * * *", jitterSeconds = 7200 }, "jitterSeconds"),
                     (new { name = "nightly", stream = "charges", cron = "0 2 * * *", workers = 65 }, "workers"),
                 })
        {
            var response = await operatorClient.PostAsJsonAsync("/api/schedules", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var created = await operatorClient.PostAsJsonAsync("/api/schedules",
            new { name = "nightly", stream = "charges", cron = "30 2 * * *", timeZone = "Europe/Berlin", overlap = "queue", jitterSeconds = 60 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = (await created.Content.ReadFromJsonAsync<ScheduleInfo>())!;
        Assert.Equal(("Europe/Berlin", "queue", true, "operator"), (schedule.TimeZone, schedule.Overlap, schedule.Enabled, schedule.CreatedBy));
        Assert.NotNull(schedule.NextFireAt);
        Assert.Equal(HttpStatusCode.Conflict, (await operatorClient.PostAsJsonAsync("/api/schedules", new { name = "nightly", stream = "refunds", cron = "0 1 * * *" })).StatusCode);

        var paused = await (await operatorClient.PostAsync("/api/schedules/nightly/pause", null)).Content.ReadFromJsonAsync<ScheduleInfo>();
        Assert.Equal((false, (DateTimeOffset?)null), (paused!.Enabled, paused.NextFireAt));
        var changed = await operatorClient.PutAsJsonAsync("/api/schedules/nightly", new { stream = "refunds", cron = "0 3 * * *", enabled = false });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var renamed = await operatorClient.PutAsJsonAsync("/api/schedules/nightly", new { name = "daily", stream = "refunds", cron = "0 3 * * *" });
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Single((await viewer.GetFromJsonAsync<List<ScheduleInfo>>("/api/schedules"))!);
        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync("/api/schedules/nightly")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/schedules/nightly")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync("/api/schedules/nightly/resume", null)).StatusCode);

        using var admin = console.BasicClient("admin");
        var audit = await admin.GetStringAsync("/api/audit?limit=20");
        foreach (var action in new[] { "schedule.create", "schedule.pause", "schedule.update", "schedule.delete" })
        {
            Assert.Contains($"\"{action}\"", audit, StringComparison.Ordinal);
        }
    }

    private ConsoleAppFactory Console(string? webhook = null, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Data:Path"] = _data, ["Runner:GracePeriodSeconds"] = "2", ["Schedules:Scheduler"] = "false" };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        if (webhook is not null)
        {
            settings["Notifications:WebhookUrl"] = webhook;
            settings["Notifications:BackoffSeconds"] = "0.05";
        }
        var console = ConsoleAppFactory.With(settings, services => services.AddSingleton<IJobRunner>(_runner));
        _ = console.Services; // started: migrated and seeded before the next console opens the same folder
        return console;
    }

    private Scheduler SchedulerOf(ConsoleAppFactory console) => new(console.Services.GetRequiredService<SqliteScheduleStore>(), console.Services.GetRequiredService<IRunStore>(),
        console.Services.GetRequiredService<IRunService>(), console.Services.GetRequiredService<WebhookNotifier>(), _time, NullLogger<Scheduler>.Instance);

    /// <summary>Stores a schedule as if created at the fake clock's now.</summary>
    private async Task CreateAsync(ConsoleAppFactory console, ScheduleDefinition definition) =>
        Assert.True(await console.Services.GetRequiredService<SqliteScheduleStore>().InsertAsync(definition, "operator", _time.GetUtcNow()));

    private static ScheduleDefinition Definition(string name, string cron, string zone = "UTC", string overlap = OverlapPolicies.Skip,
        string catchUp = CatchUpPolicies.Latest, int catchUpLimit = 10, int jitter = 0) =>
        ScheduleService.Validate(new ScheduleRequest
        {
            Name = name, Stream = "charges", Cron = cron, TimeZone = zone, Overlap = overlap, CatchUp = catchUp, CatchUpLimit = catchUpLimit, JitterSeconds = jitter,
        });
}
