using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>Launch, follow and cancel runs through the API: the in-process scripted job, and the local runner's real process where it matters.</summary>
public sealed class RunsApiTests : IDisposable
{
    private readonly ConsoleAppFactory _console = FakeJobConsole();

    public void Dispose() => _console.Dispose();

    [Fact]
    public async Task Launch_JobSucceeds_RunSucceededWithProgressAndRedactedLog()
    {
        using var client = _console.BasicClient("operator");

        var launched = await LaunchAsync(client, new { stream = "charges" });
        Assert.Equal("operator", launched.LaunchedBy);
        var run = await WaitForEndAsync(client, launched.Id);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, run.Attempts);
        Assert.NotNull(run.EndedAt);
        Assert.Equal(150, run.Progress.Records);
        Assert.Equal(2, run.Progress.RateLimited);
        Assert.Equal(50.5, run.Progress.RecordsPerSecond);
        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(seq => (long)seq), lines.Select(line => line.Seq));
        Assert.Contains(lines, line => line is { Event: "slice", Source: "executor-1", Level: "info" });
        Assert.Contains(lines, line => line is { Text: "plain text from the runtime", Event: "", Source: "" });
        var keyLine = Assert.Single(lines, line => line.Msg.StartsWith("key in use", StringComparison.Ordinal));
        Assert.Equal("key in use: [REDACTED]", keyLine.Msg);
        Assert.DoesNotContain("sk_live_sandbox", string.Join('\n', lines.Select(line => line.Text)), StringComparison.Ordinal);

        // The archive is a complete gzip of the same lines, with the secret redacted there too.
        var download = await client.GetAsync($"/api/runs/{run.Id}/logs/download");
        Assert.Equal("application/gzip", download.Content.Headers.ContentType?.MediaType);
        await using var gzip = new System.IO.Compression.GZipStream(await download.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        var archived = (await new StreamReader(gzip).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Count, archived.Length);
        Assert.DoesNotContain(archived, text => text.Contains("sk_live_sandbox", StringComparison.Ordinal));
        // The raw output file is gone once its lines are archived.
        Assert.False(File.Exists(Path.Combine(_console.DataPath, "runs", run.Id, "output.log")));
    }

    [Fact]
    public async Task Launch_JobCrashes_RunFailedWithExitCodeAndLastError()
    {
        using var client = _console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "refunds" })).Id);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal(4, run.ExitCode);
        Assert.Equal("Exit 4 (the source failed after retries): Source failed after 8 retries: HTTP 500 from /v1/refunds", run.FailureReason);
    }

    [Fact]
    public async Task Cancel_RunningJob_CancelledAndProcessGone()
    {
        // The local runner with a real process: SIGTERM reaches it and it is gone afterwards.
        using var console = ProcessJobConsole();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "customers" });
        run = await WaitForAsync(client, run.Id, current => current.State == RunState.Running && current.Progress.Records > 0);
        var handle = await console.Services.GetRequiredService<IRunStore>().HandleAsync(run.Id);
        Assert.NotNull(handle);
        var process = LocalJob.Of(handle);
        Assert.True(ProcessExists(process.Pid));

        var response = await client.PostAsync($"/api/runs/{run.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var cancelling = (await response.Content.ReadFromJsonAsync<RunInfo>(Json))!;
        Assert.Equal(RunState.Cancelling, cancelling.State);
        Assert.Equal("operator", cancelling.CancelledBy);
        var ended = await WaitForEndAsync(client, run.Id);

        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.Equal(130, ended.ExitCode);
        Assert.False(ended.Forced);
        Assert.False(ProcessExists(process.Pid));
        Assert.Contains(await AllLogLinesAsync(client, run.Id), line => line.Msg == "Cancelled");
        // Cancelling an ended run is a conflict, not a silent success.
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/runs/{run.Id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Cancel_JobIgnoresSigterm_KilledAfterGracePeriodAndShownForced()
    {
        // The local runner with a real process that ignores SIGTERM: SIGKILL after the grace period ends it.
        using var console = ProcessJobConsole();
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "customers", workers = 13 });
        await WaitForAsync(client, run.Id, current => current.Progress.Records > 0);
        var process = LocalJob.Of((await console.Services.GetRequiredService<IRunStore>().HandleAsync(run.Id))!);

        await client.PostAsync($"/api/runs/{run.Id}/cancel", null);
        await Task.Delay(1000);
        Assert.Equal(RunState.Cancelling, (await GetAsync(client, run.Id)).State);
        var ended = await WaitForEndAsync(client, run.Id, seconds: 30);

        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.True(ended.Forced);
        Assert.Null(ended.ExitCode);
        Assert.False(ProcessExists(process.Pid));
    }

    [Fact]
    public async Task ForceCancel_Admin_KillsAtOnce_OperatorForbidden()
    {
        using var operatorClient = _console.BasicClient("operator");
        using var admin = _console.BasicClient("admin");
        var run = await LaunchAsync(operatorClient, new { stream = "customers", workers = 13 });
        await WaitForAsync(operatorClient, run.Id, current => current.State == RunState.Running);

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync($"/api/runs/{run.Id}/cancel?force=true", null)).StatusCode);
        Assert.Equal(RunState.Running, (await GetAsync(operatorClient, run.Id)).State);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{run.Id}/cancel?force=true", null)).StatusCode);
        var ended = await WaitForEndAsync(admin, run.Id, seconds: 10);

        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.True(ended.Forced);
        Assert.Equal("admin", ended.CancelledBy);
    }

    [Fact]
    public async Task Launch_StreamBusy_409WithActiveRunId_AndAfterTheRunEndsItWorks()
    {
        using var client = _console.BasicClient("operator");
        var first = await LaunchAsync(client, new { stream = "customers" });

        var response = await client.PostAsJsonAsync("/api/runs", new { stream = "customers", mode = "full" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.Id, problem.GetProperty("activeRunId").GetString());
        Assert.Contains(first.Id, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Another stream is free.
        var other = await LaunchAsync(client, new { stream = "charges" });
        await WaitForEndAsync(client, other.Id);

        await client.PostAsync($"/api/runs/{first.Id}/cancel", null);
        await WaitForEndAsync(client, first.Id);
        var second = await LaunchAsync(client, new { stream = "customers" });
        await client.PostAsync($"/api/runs/{second.Id}/cancel", null);
        await WaitForEndAsync(client, second.Id);
    }

    [Fact]
    public async Task Launch_ParallelForOneStream_ExactlyOneWins()
    {
        using var client = _console.BasicClient("operator");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsJsonAsync("/api/runs", new { stream = "customers" })));

        var statuses = string.Join(", ", await Task.WhenAll(responses.Select(async response => $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}")));
        Assert.True(responses.Count(response => response.StatusCode == HttpStatusCode.Created) == 1, statuses);
        Assert.True(responses.Count(response => response.StatusCode == HttpStatusCode.Conflict) == 7, statuses);
        var winner = (await responses.Single(response => response.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<RunInfo>(Json))!;
        await client.PostAsync($"/api/runs/{winner.Id}/cancel", null);
        await WaitForEndAsync(client, winner.Id);
    }

    [Fact]
    public async Task Viewer_CannotLaunchOrCancel_ButReads()
    {
        using var viewer = _console.BasicClient("viewer");
        using var operatorClient = _console.BasicClient("operator");
        var run = await LaunchAsync(operatorClient, new { stream = "customers" });

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/runs", new { stream = "charges" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/runs/{run.Id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/runs/{run.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/runs/{run.Id}/logs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _console.AnonymousClient().GetAsync("/api/runs")).StatusCode);

        await operatorClient.PostAsync($"/api/runs/{run.Id}/cancel", null);
        await WaitForEndAsync(operatorClient, run.Id);
    }

    [Theory]
    [InlineData("""{"stream":"payouts"}""", "stream")]
    [InlineData("""{}""", "stream")]
    [InlineData("""{"stream":"charges","mode":"sometimes"}""", "mode")]
    [InlineData("""{"stream":"charges","workers":0}""", "workers")]
    [InlineData("""{"stream":"charges","capacity":"reserved"}""", "capacity")]
    [InlineData("""{"stream":"charges","cpu":"lots"}""", "cpu")]
    [InlineData("""{"stream":"charges","cpu":"100"}""", "cpu")]
    [InlineData("""{"stream":"charges","memory":"1Ki"}""", "memory")]
    [InlineData("""{"stream":"charges","cpu":"1"}""", "cpu")]
    [InlineData("""{"stream":"charges","executors":0}""", "executors")]
    [InlineData("""{"stream":"charges","executors":2}""", "executors")]
    [InlineData("""{"stream":"charges","source":"paypal"}""", "source")]
    [InlineData("""{"stream":"charges","from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""", "to")]
    [InlineData("""{"stream":"charges","workers":"many"}""", null)]
    public async Task Launch_BadRequest_400NamesTheFieldAndRecordsNothing(string body, string? field)
    {
        using var client = _console.BasicClient("operator");

        var response = await client.PostAsync("/api/runs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        Assert.Empty((await client.GetFromJsonAsync<List<RunInfo>>("/api/runs", Json))!);
    }

    [Fact]
    public async Task Logs_BadParameters_400_UnknownRun_404()
    {
        using var client = _console.BasicClient("viewer");

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/runs/x/logs?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/runs/x/logs?after=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/runs/nope/logs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/runs/nope")).StatusCode);
    }
}
