using System.Text.Json;
using OpsConsole.Shared.State;
using OpsConsole.TestSupport;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>The job with its state in DynamoDB (dynalite) instead of SQLite: only the --state URI changes.</summary>
public sealed class DynamoDbStateTests(DynaliteServer dynalite) : IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private JobSandbox _job = default!;

    public async Task InitializeAsync() => _job = await JobSandbox.StartAsync("dynamo", o => (o.Charges, o.Days) = (600, 10));

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task Ingest_TableNeverMade_Exits5SayingHowToMakeIt()
    {
        var (code, output, _) = await RunAsync(dynalite.StateUri("opsconsole-not-made"), "dyn-0");

        Assert.Equal(5, code);
        Assert.Contains("state init", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_StateInDynamoDb_CommitsTheTableAndMovesTheCheckpointThere()
    {
        var state = dynalite.StateUri($"opsconsole-job-{Guid.NewGuid():N}");
        var initOutput = new StringWriter();
        var initError = new StringWriter();
        Assert.Equal(0, await JobCommand.RunAsync(["state", "init", "--state", state], initOutput, initError, _ => null));
        Assert.Contains("\"ready\":true", initOutput.ToString(), StringComparison.Ordinal);

        var first = await RunAsync(state, "dyn-1", "--mode", "full");
        var second = await RunAsync(state, "dyn-2");

        Assert.True(first.Code == 0, first.Error + first.Output);
        Assert.True(second.Code == 0, second.Error + second.Output);
        var store = StateStores.Open(state);
        var checkpoint = (await store.GetCheckpointAsync("stripe", "charges"))!;
        Assert.Equal(2, checkpoint.Version);
        Assert.Equal("dyn-2", checkpoint.UpdatedBy);
        Assert.Equal([2L, 1L], (await store.HistoryAsync("stripe", "charges")).Select(v => v.Version));
        Assert.Null(await store.GetLeaseAsync("stripe", "charges"));
        Assert.NotEmpty(await store.CompletedSlicesAsync("stripe", "charges", "dyn-1"));
        // The second run started from the first one's cursor minus the lookback, read from DynamoDB.
        var planned = Lines(second.Output).First(l => l.TryGetProperty("from", out _));
        Assert.Equal(Lines(first.Output).Single(l => l.GetProperty("event").GetString() == "summary").GetProperty("cursor").GetInt64() - 600,
            planned.GetProperty("from").GetInt64());
        await ChargesTruth.AssertTableEqualsAsync(_job.Admin, _job.Lake, checkpoint.Cursor!.Value);
    }

    private static List<JsonElement> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private async Task<(int Code, string Output, string Error)> RunAsync(string state, string runId, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await JobCommand.RunAsync(["ingest", "--stream", "charges", "--run-id", runId, .. args, "--safety-lag-seconds", "0", "--rules", "none",
            "--state", state, "--lake", _job.Lake, "--api-base", _job.Sandbox.BaseAddress.ToString()], output, error,
            name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null);
        return (code, output.ToString(), error.ToString());
    }
}
