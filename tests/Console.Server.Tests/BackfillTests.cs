using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Server.Runners;
using OpsConsole.Server.Schedules;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Validation;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>Backfills: the split, the checks at the edge, the pieces one after another with pause, resume and cancel, and the checkpoint rule with the real job.</summary>
public sealed class BackfillTests : IDisposable
{
    private static readonly CallerInfo Operator = new("operator", ConsoleRole.Operator, "test");

    private readonly FakeJobRunner _runner = new();
    private readonly string _data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"backfill-{Guid.NewGuid():N}");

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
    public void Split_ByDay_CutsAtUtcMidnight_ByWeek_AtMonday()
    {
        var from = new DateTimeOffset(2026, 11, 4, 15, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(); // a Wednesday
        var to = new DateTimeOffset(2026, 11, 17, 6, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(); // the Tuesday after next

        var days = BackfillService.Split(from, to, "day");
        Assert.Equal(14, days.Count);
        Assert.Equal((from, new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()), days[0]);
        Assert.Equal((new DateTimeOffset(2026, 11, 17, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), to), days[^1]);
        Assert.All(days.Zip(days.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));

        var weeks = BackfillService.Split(from, to, "week");
        Assert.Equal(
        [
            (from, new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()),
            (new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()),
            (new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), to),
        ], weeks);
    }

    [Theory]
    [InlineData(null, "2026-11-02T00:00:00Z", "day", "from")]
    [InlineData("2026-11-01T00:00:00Z", null, "day", "to")]
    [InlineData("2026-11-01T00:00:00Z", "2099-01-01T00:00:00Z", "day", "to")]
    [InlineData("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z", "day", "to")]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "month", "step")]
    [InlineData("2020-01-01T00:00:00Z", "2026-11-02T00:00:00Z", "day", "step")]
    public void Validate_EveryBadFieldIsNamed(string? from, string? to, string step, string field)
    {
        var error = Assert.Throws<InvalidFieldException>(() => BackfillService.Validate(new BackfillRequest
        {
            Stream = "charges", From = from is null ? null : DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            To = to is null ? null : DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture), Step = step,
        }, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public async Task Pieces_RunOneAfterAnother_InOrder_PauseHolds_AFailedPieceFailsIt_ResumeRunsItAgain_CancelStopsTheRunningOne()
    {
        using var console = Console();
        using var client = console.BasicClient("viewer");
        var backfills = console.Services.GetRequiredService<IBackfillService>();
        var backfiller = new Backfiller(console.Services.GetRequiredService<SqliteScheduleStore>(), console.Services.GetRequiredService<IRunService>(),
            TimeProvider.System, NullLogger<Backfiller>.Instance);
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var backfill = await backfills.CreateAsync(new BackfillRequest { Stream = "charges", From = from, To = from.AddDays(4), Workers = 2 }, Operator);
        Assert.Equal((4, BackfillStates.Running), (backfill.Pieces.Count, backfill.State));

        // Piece 1 runs; a second pass while it runs launches nothing.
        await backfiller.TickAsync();
        await backfiller.TickAsync();
        var first = await _runner.Started.Reader.ReadAsync();
        Assert.False(_runner.Started.Reader.TryRead(out _));
        var run = await GetAsync(client, first.Spec.RunId);
        Assert.Equal((from.ToUnixTimeSeconds(), from.AddDays(1).ToUnixTimeSeconds(), "backfill:" + backfill.Id), (run.From, run.To, run.LaunchedBy));
        first.End(0);
        await WaitForEndAsync(client, first.Spec.RunId);

        // Paused: the next piece waits.
        await backfills.ChangeAsync(backfill.Id, "pause", Operator);
        await backfiller.TickAsync();
        Assert.False(_runner.Started.Reader.TryRead(out _));
        Assert.Equal(0.25, (await backfills.GetAsync(backfill.Id))!.Fraction);
        await backfills.ChangeAsync(backfill.Id, "resume", Operator);

        // Piece 2 fails (the source failed): the backfill fails, naming it; resume runs it again.
        await backfiller.TickAsync();
        var second = await _runner.Started.Reader.ReadAsync();
        Assert.Equal(from.AddDays(1).ToUnixTimeSeconds(), (await GetAsync(client, second.Spec.RunId)).From);
        second.End(4);
        await WaitForEndAsync(client, second.Spec.RunId);
        await backfiller.TickAsync();
        var failed = (await backfills.GetAsync(backfill.Id))!;
        Assert.Equal(BackfillStates.Failed, failed.State);
        Assert.StartsWith($"piece 2 of 4 (2026-11-02 00:00:00Z to 2026-11-03 00:00:00Z): run {second.Spec.RunId} failed", failed.Failure, StringComparison.Ordinal);
        await backfiller.TickAsync();
        Assert.False(_runner.Started.Reader.TryRead(out _));
        await backfills.ChangeAsync(backfill.Id, "resume", Operator);
        await backfiller.TickAsync();
        var retried = await _runner.Started.Reader.ReadAsync();
        Assert.NotEqual(second.Spec.RunId, retried.Spec.RunId);
        Assert.Equal(from.AddDays(1).ToUnixTimeSeconds(), (await GetAsync(client, retried.Spec.RunId)).From);
        retried.End(0);
        await WaitForEndAsync(client, retried.Spec.RunId);

        // Piece 3 runs; cancelling the backfill cancels it and nothing follows.
        await backfiller.TickAsync();
        var third = await _runner.Started.Reader.ReadAsync();
        await backfills.ChangeAsync(backfill.Id, "cancel", Operator);
        Assert.Equal(RunState.Cancelled, (await WaitForEndAsync(client, third.Spec.RunId)).State);
        await backfiller.TickAsync();
        Assert.False(_runner.Started.Reader.TryRead(out _));
        var cancelled = (await backfills.GetAsync(backfill.Id))!;
        Assert.Equal((BackfillStates.Cancelled, 2), (cancelled.State, cancelled.Done));
        var conflict = await Assert.ThrowsAsync<BackfillStateConflictException>(() => backfills.ChangeAsync(backfill.Id, "resume", Operator));
        Assert.Contains("is cancelled: it cannot be resumed", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_CreatesAndLists_BadFieldsNamed_ViewersCannotCreate()
    {
        using var console = Console();
        using var operatorClient = console.BasicClient("operator");
        using var viewer = console.BasicClient("viewer");
        var body = new { stream = "refunds", from = "2026-11-01T00:00:00Z", to = "2026-11-15T00:00:00Z", step = "week" };

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/backfills", body)).StatusCode);
        var bad = await operatorClient.PostAsJsonAsync("/api/backfills", body with { step = "hour" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"step\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var created = await operatorClient.PostAsJsonAsync("/api/backfills", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var backfill = (await created.Content.ReadFromJsonAsync<BackfillInfo>(Json))!;
        Assert.Equal(3, backfill.Pieces.Count); // Sun 1st; Mon 2nd-8th; Mon 9th-14th
        var listed = (await viewer.GetFromJsonAsync<List<BackfillInfo>>("/api/backfills", Json))!;
        Assert.Equal(backfill.Id, Assert.Single(listed).Id);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.PostAsync($"/api/backfills/{backfill.Id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await operatorClient.PostAsync($"/api/backfills/{backfill.Id}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync("/api/backfills/bf-none/pause", null)).StatusCode);
    }

    [Fact]
    public async Task RealJob_ABackfillOfAnOlderWindow_RunsEachDay_AndNeverMovesTheCheckpointBackwards()
    {
        using var console = ConsoleAppFactory.With(new Dictionary<string, string?>
        {
            ["Sandbox:Charges"] = "600", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0", ["Schedules:TickSeconds"] = "0.2",
        });
        using var client = console.BasicClient("operator");
        var full = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);
        Assert.Equal(RunState.Succeeded, full.State);
        var before = await CheckpointAsync(client);

        var to = DateTimeOffset.FromUnixTimeSeconds(before.Cursor!.Value).UtcDateTime.Date.AddDays(-5);
        var created = await client.PostAsJsonAsync("/api/backfills", new { stream = "charges", from = to.AddDays(-3), to, workers = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<BackfillInfo>(Json))!.Id;
        BackfillInfo backfill;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        do
        {
            await Task.Delay(250);
            backfill = (await client.GetFromJsonAsync<BackfillInfo>($"/api/backfills/{id}", Json))!;
        }
        while (backfill.State == BackfillStates.Running && DateTime.UtcNow < deadline);

        Assert.True(backfill.State == BackfillStates.Succeeded, $"{backfill.State}: {backfill.Failure}");
        Assert.Equal(3, backfill.Done);
        var after = await CheckpointAsync(client);
        Assert.Equal(before.Cursor, after.Cursor);
        foreach (var piece in backfill.Pieces)
        {
            var run = await GetAsync(client, piece.RunId!);
            Assert.Equal((piece.From.ToUnixTimeSeconds(), piece.To.ToUnixTimeSeconds()), (run.Progress.PlannedFrom, run.Progress.PlannedTo));
        }
    }

    private static async Task<CheckpointStatus> CheckpointAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<CheckpointStatus>>("/api/checkpoints", Json))!.Single(c => c.Stream == "charges");

    private ConsoleAppFactory Console() => ConsoleAppFactory.With(
        new Dictionary<string, string?> { ["Data:Path"] = _data, ["Runner:GracePeriodSeconds"] = "2", ["Schedules:Scheduler"] = "false" },
        services => services.AddSingleton<IJobRunner>(_runner));
}
