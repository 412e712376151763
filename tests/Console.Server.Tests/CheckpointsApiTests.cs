using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>Checkpoints (browse, history, admin changes), the audit log and the webhook, through the API.</summary>
public sealed class CheckpointsApiTests : IAsyncLifetime
{
    private const long Cursor = 1_790_000_000;
    private WebhookReceiver _receiver = default!;
    private ConsoleAppFactory _console = default!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _console = FakeJobConsole(_receiver);
        var state = _console.Services.GetRequiredService<IStateStore>();
        await state.WriteCheckpointAsync("stripe", "charges", Cursor - 86_400, 0, "run-a", "run run-a committed table version 0");
        await state.WriteCheckpointAsync("stripe", "charges", Cursor, 1, "run-b", "run run-b committed table version 1");
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _receiver.DisposeAsync();
    }

    [Theory]
    [InlineData("viewer", HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("operator", HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.OK, HttpStatusCode.OK)]
    public async Task RoleMatrix_EveryoneReads_OnlyAdminsPreviewAndChange(string user, HttpStatusCode read, HttpStatusCode change)
    {
        using var client = _console.BasicClient(user);
        var body = Change(CheckpointAction.Set, expectedVersion: 2, cursor: DateTimeOffset.FromUnixTimeSeconds(Cursor - 3600));

        Assert.Equal(read, (await client.GetAsync("/api/checkpoints")).StatusCode);
        Assert.Equal(read, (await client.GetAsync("/api/checkpoints/stripe/charges/history")).StatusCode);
        Assert.Equal(read, (await client.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(change, (await client.PostAsJsonAsync("/api/checkpoints/stripe/charges/preview", body, Json)).StatusCode);
        Assert.Equal(change, (await client.PutAsJsonAsync("/api/checkpoints/stripe/charges", body, Json)).StatusCode);
        Assert.Equal(change, (await client.PostAsJsonAsync("/api/checkpoints/stripe/charges/restore/1", body with { Action = null, ExpectedVersion = 3 }, Json)).StatusCode);
        Assert.Equal(change, (await client.GetAsync("/api/notifications/deliveries")).StatusCode);
        using var anonymous = _console.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/checkpoints")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("/api/checkpoints/stripe/charges", body, Json)).StatusCode);
    }

    [Fact]
    public async Task List_ShowsEveryStreamWithCursorLagAndWho()
    {
        using var client = _console.BasicClient("viewer");

        var list = (await client.GetFromJsonAsync<List<CheckpointStatus>>("/api/checkpoints", Json))!;

        Assert.Equal(["charges", "customers", "refunds"], list.Select(c => c.Stream));
        var charges = list[0];
        Assert.Equal((Cursor, 2L, "run-b"), (charges.Cursor!.Value, charges.Version, charges.UpdatedBy));
        Assert.True(charges.Lag > TimeSpan.Zero);
        Assert.Null(list[1].Cursor);
    }

    [Fact]
    public async Task Preview_EstimatesFromIncrementalRunsOnly_NotFromAFullSyncThatFetchedEverything()
    {
        using var console = new ConsoleAppFactory();
        var state = console.Services.GetRequiredService<IStateStore>();
        var runs = console.Services.GetRequiredService<IRunStore>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // A full sync (10,000 records: the whole history), then an incremental run over 3 hours (600 records: 200 an
        // hour), then another full sync of everything: the stream gets 200 records an hour.
        await SucceededAsync(runs, "run-full-1", "full", 10_000);
        await state.WriteCheckpointAsync("stripe", "refunds", now - (6 * 3600), 0, "run-full-1", "committed");
        await SucceededAsync(runs, "run-incremental", "incremental", 600);
        await state.WriteCheckpointAsync("stripe", "refunds", now - (3 * 3600) - 600, 1, "run-incremental", "committed");
        await SucceededAsync(runs, "run-full-2", "full", 10_600);
        await state.WriteCheckpointAsync("stripe", "refunds", now - 60, 2, "run-full-2", "committed");
        using var admin = console.BasicClient("admin");

        var preview = await (await admin.PostAsJsonAsync("/api/checkpoints/stripe/refunds/preview",
                new CheckpointChange { Action = CheckpointAction.Set, ExpectedVersion = 3, Cursor = DateTimeOffset.FromUnixTimeSeconds(now - 86_400) }, Json))
            .Content.ReadFromJsonAsync<CheckpointPreview>(Json);

        // A day back and the lookback: about 24 hours at 200 an hour (3 hours of window plus the 10 min lookback).
        Assert.InRange(preview!.EstimatedRecords!.Value, 4_000, 5_000);
        Assert.StartsWith("From the last 1 incremental run(s) of this stream: 600 records arrived in 3 hours of window", preview.EstimateBasis, StringComparison.Ordinal);
    }

    private static async Task SucceededAsync(IRunStore runs, string id, string mode, long records)
    {
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        await runs.InsertAsync(new RunInfo
        {
            Id = id, Source = "stripe", Stream = "refunds", Mode = mode, Workers = 8, State = RunState.Pending, CreatedAt = started, LaunchedBy = "operator",
        });
        await runs.TransitionAsync(id, RunState.Starting, new RunChange { StartedAt = started }, "starting");
        await runs.TransitionAsync(id, RunState.Running, new RunChange(), "running");
        await runs.UpdateProgressAsync(id, RunProgress.None with { Records = records });
        await runs.TransitionAsync(id, RunState.Succeeded, new RunChange { EndedAt = DateTimeOffset.UtcNow, ExitCode = 0 }, "succeeded");
    }

    [Fact]
    public async Task TwoChangesAtOnce_TheLaterIsStaleWithTheCurrentVersion_NotABusyStream()
    {
        using var admin = _console.BasicClient("admin");
        // Signed in once, so the change below reaches the stream while the other change holds it (a password check takes a while).
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/me")).StatusCode);
        var state = _console.Services.GetRequiredService<IStateStore>();
        // Another admin's change is being written: it holds the stream.
        var other = $"{Checkpoints.CheckpointService.LeaseHolderRun}@other-admin:{Guid.NewGuid():N}";
        await state.AcquireLeaseAsync("stripe", "charges", other, TimeSpan.FromSeconds(30));

        var mine = admin.PutAsJsonAsync("/api/checkpoints/stripe/charges", Change(CheckpointAction.Reset, 2), Json);
        await Task.Delay(1000);
        Assert.False(mine.IsCompleted);
        await state.WriteCheckpointAsync("stripe", "charges", null, 2, "other-admin", "reset by other-admin: at the same time");
        await state.ReleaseLeaseAsync("stripe", "charges", other);
        var lost = await mine;

        Assert.Equal(HttpStatusCode.Conflict, lost.StatusCode);
        var problem = await lost.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, problem.GetProperty("currentVersion").GetInt64());
        Assert.False(problem.TryGetProperty("activeRunId", out _));
    }

    [Fact]
    public async Task ResetSetRestore_WriteVersionsAuditedAndNotified_AndRestoreBringsTheOldCursorBack()
    {
        using var admin = _console.BasicClient("admin");

        var preview = await (await admin.PostAsJsonAsync("/api/checkpoints/stripe/charges/preview", Change(CheckpointAction.Reset, 2), Json))
            .Content.ReadFromJsonAsync<CheckpointPreview>(Json);
        Assert.Equal((Cursor, (long?)null, (long?)null), (preview!.CurrentCursor!.Value, preview.ProposedCursor, preview.NextFrom));
        Assert.Contains("full sync", preview.EstimateBasis, StringComparison.Ordinal);

        var reset = await PutAsync(admin, Change(CheckpointAction.Reset, 2));
        Assert.Equal((null, 3L), (reset.Cursor, reset.Version));
        var backfill = DateTimeOffset.FromUnixTimeSeconds(Cursor - (7 * 86_400));
        var set = await PutAsync(admin, Change(CheckpointAction.Set, 3, cursor: backfill));
        Assert.Equal((backfill.ToUnixTimeSeconds(), 4L), (set.Cursor!.Value, set.Version));
        var restore = await admin.PostAsJsonAsync("/api/checkpoints/stripe/charges/restore/2", Change(null, 4), Json);
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(Cursor, (await restore.Content.ReadFromJsonAsync<Checkpoint>(Json))!.Cursor);

        var history = (await admin.GetFromJsonAsync<List<CheckpointVersion>>("/api/checkpoints/stripe/charges/history", Json))!;
        Assert.Equal([5L, 4, 3, 2, 1], history.Select(h => h.Version));
        Assert.Equal(("admin", Cursor, backfill.ToUnixTimeSeconds()), (history[0].UpdatedBy, history[0].Cursor!.Value, history[0].PreviousCursor!.Value));
        Assert.Contains("restore by admin: replaying last week", history[0].Reason, StringComparison.Ordinal);

        var audit = (await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit?stream=stripe/charges", Json))!;
        Assert.Equal([AuditActions.CheckpointRestore, AuditActions.CheckpointSet, AuditActions.CheckpointReset], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(("admin", "ok", "replaying last week"), (a.Actor, a.Outcome, a.Reason)));
        Assert.Equal($$"""{"cursor":{{Cursor}},"version":2}""", audit[^1].Before);
        Assert.Equal("""{"cursor":null,"version":3}""", audit[^1].After);

        // The webhook hears of all three. Its first attempt failed: that one came again after a backoff (so after the others).
        var events = await ReceivedAsync(3);
        Assert.Equal([AuditActions.CheckpointReset, AuditActions.CheckpointRestore, AuditActions.CheckpointSet], events.Select(e => e.GetProperty("event").GetString()).Order());
        Assert.All(events, e => Assert.Equal("stripe/charges", e.GetProperty("subject").GetString()));
        var retried = events.Single(e => e.GetProperty("event").GetString() == AuditActions.CheckpointReset);
        Assert.Equal((2, "admin"), (retried.GetProperty("attempt").GetInt32(), retried.GetProperty("data").GetProperty("by").GetString()));
        // The delivery log is written when the receiver has answered, a moment after it got the request: wait for it.
        List<WebhookDelivery> deliveries;
        for (var i = 0; ; i++)
        {
            deliveries = (await admin.GetFromJsonAsync<List<WebhookDelivery>>("/api/notifications/deliveries", Json))!;
            if (deliveries.All(d => d.Status == "Delivered") || i == 200)
            {
                break;
            }
            await Task.Delay(50);
        }
        Assert.All(deliveries, d => Assert.Equal("Delivered", d.Status));
        Assert.Contains(deliveries, d => d.Attempts == 2);
    }

    [Fact]
    public async Task Change_StaleExpectedVersion_ConflictAndNothingWritten()
    {
        using var admin = _console.BasicClient("admin");

        var response = await admin.PutAsJsonAsync("/api/checkpoints/stripe/charges", Change(CheckpointAction.Reset, 1), Json);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt64());
        var checkpoint = await _console.Services.GetRequiredService<IStateStore>().GetCheckpointAsync("stripe", "charges");
        Assert.Equal((Cursor, 2L), (checkpoint!.Cursor!.Value, checkpoint.Version));
        var audit = (await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit?action=checkpoint.reset", Json))!;
        Assert.StartsWith("conflict: version 2, not 1", Assert.Single(audit).Outcome, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"action":"reset","expectedVersion":2,"confirm":"customers","reason":"x"}""", "confirm")]
    [InlineData("""{"action":"reset","expectedVersion":2,"confirm":"charges","reason":" "}""", "reason")]
    [InlineData("""{"action":"reset","confirm":"charges","reason":"x"}""", "expectedVersion")]
    [InlineData("""{"action":"set","expectedVersion":2,"confirm":"charges","reason":"x"}""", "cursor")]
    [InlineData("""{"action":"set","cursor":"2999-01-01T00:00:00Z","expectedVersion":2,"confirm":"charges","reason":"x"}""", "cursor")]
    [InlineData("""{"expectedVersion":2,"confirm":"charges","reason":"x"}""", "action")]
    public async Task Change_BadRequest_400NamesTheField(string body, string field)
    {
        using var admin = _console.BasicClient("admin");

        var response = await admin.PutAsync("/api/checkpoints/stripe/charges", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(2, (await _console.Services.GetRequiredService<IStateStore>().GetCheckpointAsync("stripe", "charges"))!.Version);
    }

    [Fact]
    public async Task Restore_UnknownVersion_400_AndUnknownStream_404()
    {
        using var admin = _console.BasicClient("admin");

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/checkpoints/stripe/charges/restore/9", Change(null, 2), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/checkpoints/stripe/invoices/history")).StatusCode);
    }

    [Fact]
    public async Task Change_WhileTheStreamHasAnActiveRun_409NamesTheRun_ThenCancelAndFailureAreAuditedAndNotified()
    {
        using var admin = _console.BasicClient("admin");
        var run = await LaunchAsync(admin, new { stream = "customers" });
        await WaitForAsync(admin, run.Id, r => r.State == RunState.Running);
        await _console.Services.GetRequiredService<IStateStore>().WriteCheckpointAsync("stripe", "customers", Cursor, 0, "run-c", "seeded");

        var response = await admin.PutAsJsonAsync("/api/checkpoints/stripe/customers", Change(CheckpointAction.Reset, 1) with { Confirm = "customers" }, Json);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(run.Id, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("activeRunId").GetString());
        Assert.Equal(1, (await _console.Services.GetRequiredService<IStateStore>().GetCheckpointAsync("stripe", "customers"))!.Version);
        var list = (await admin.GetFromJsonAsync<List<CheckpointStatus>>("/api/checkpoints", Json))!;
        Assert.Equal(run.Id, list.Single(c => c.Stream == "customers").ActiveRunId);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{run.Id}/cancel", null)).StatusCode);
        await WaitForEndAsync(admin, run.Id);
        var failed = await WaitForEndAsync(admin, (await LaunchAsync(admin, new { stream = "refunds" })).Id);
        Assert.Equal(RunState.Failed, failed.State);

        var audit = (await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit?actor=admin", Json))!;
        Assert.Equal([AuditActions.RunLaunch, AuditActions.RunCancel, AuditActions.CheckpointReset, AuditActions.RunLaunch], audit.Select(a => a.Action));
        Assert.Equal($"refused: run {run.Id} is active", audit[2].Outcome);
        Assert.Equal(run.Id, audit[1].Target);
        Assert.Equal(("""{"state":"Running"}""", """{"state":"Cancelling","forced":false}"""), (audit[1].Before, audit[1].After));
        var events = await ReceivedAsync(2);
        Assert.Equal([NotificationEvents.RunCancelled, NotificationEvents.RunFailed], events.Select(e => e.GetProperty("event").GetString()).Order());
        var failure = events.Single(e => e.GetProperty("event").GetString() == NotificationEvents.RunFailed).GetProperty("data");
        Assert.Equal((4, failed.Id), (failure.GetProperty("exitCode").GetInt32(), failure.GetProperty("runId").GetString()));
    }

    [Fact]
    public async Task BlockedRun_FailsWithTheRuleAndNotifiesQualityAndFailure()
    {
        using var operatorClient = _console.BasicClient("operator");

        var run = await WaitForEndAsync(operatorClient, (await LaunchAsync(operatorClient, new { stream = "charges", workers = 3 })).Id);

        Assert.Equal((RunState.Failed, 3, "blocked"), (run.State, run.ExitCode, run.Quality));
        Assert.Contains("Blocked by data quality: non_negative_amount", run.FailureReason, StringComparison.Ordinal);
        var events = await ReceivedAsync(2);
        Assert.Equal([NotificationEvents.QualityFailed, NotificationEvents.RunFailed], events.Select(e => e.GetProperty("event").GetString()).Order());
        var quality = events.Single(e => e.GetProperty("event").GetString() == NotificationEvents.QualityFailed).GetProperty("data");
        Assert.True(quality.GetProperty("blocked").GetBoolean());
        Assert.Equal(["non_negative_amount"], quality.GetProperty("failedRules").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Launch_WhileACheckpointChangeIsWritten_IsRefusedAndNoRunStarts()
    {
        // The moment of a change: the console holds the stream in the state store while it writes.
        var state = _console.Services.GetRequiredService<IStateStore>();
        await state.AcquireLeaseAsync("stripe", "refunds", "checkpoint-change@admin:test", TimeSpan.FromSeconds(30));
        using var operatorClient = _console.BasicClient("operator");

        var response = await operatorClient.PostAsJsonAsync("/api/runs", new { stream = "refunds" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("an administrator is changing the checkpoint", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain((await operatorClient.GetFromJsonAsync<List<RunInfo>>("/api/runs", Json))!, r => r.Stream == "refunds" && r.State.IsActive());
    }

    [Fact]
    public async Task ApiKeysAndFailedSignIns_AreAudited_WithoutSecrets()
    {
        using var admin = await _console.SessionClientAsync("admin");
        var created = await admin.PostAsJsonAsync("/api/me/keys", new { name = "ci" });
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = key.GetProperty("secret").GetString()!;
        var id = key.GetProperty("key").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/me/keys/{id}")).StatusCode);
        using var wrong = _console.BasicClient("operator", "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/runs")).StatusCode);

        var all = await admin.GetStringAsync("/api/audit");
        var audit = JsonSerializer.Deserialize<List<AuditEntry>>(all, Json)!;

        Assert.Equal([AuditActions.SignInFailed, AuditActions.ApiKeyRevoke, AuditActions.ApiKeyCreate], audit.Select(a => a.Action));
        Assert.Equal(("operator", "wrong password"), (audit[0].Actor, audit[0].Reason));
        Assert.Equal((id, id), (audit[1].Target, audit[2].Target));
        Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditEntries_CannotBeChangedOrDeleted_EvenWithSql()
    {
        using var admin = _console.BasicClient("admin");
        await PutAsync(admin, Change(CheckpointAction.Reset, 2));
        await using var connection = await _console.Services.GetRequiredService<SqliteDatabase>().OpenAsync();

        foreach (var sql in new[] { "UPDATE audit SET actor = 'someone-else'", "DELETE FROM audit" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("audit entries cannot be", error.Message, StringComparison.Ordinal);
        }
        var entry = Assert.Single((await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit", Json))!);
        Assert.Equal("admin", entry.Actor);
    }

    private static CheckpointChange Change(CheckpointAction? action, long expectedVersion, DateTimeOffset? cursor = null) => new()
    {
        Action = action,
        Cursor = cursor,
        ExpectedVersion = expectedVersion,
        Confirm = "charges",
        Reason = "replaying last week",
    };

    private static async Task<Checkpoint> PutAsync(HttpClient client, CheckpointChange change)
    {
        var response = await client.PutAsJsonAsync("/api/checkpoints/stripe/charges", change, Json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<Checkpoint>(Json))!;
    }

    private Task<List<JsonElement>> ReceivedAsync(int count) => _receiver.ReceivedAsync(count);
}
