using System.Net;
using System.Net.Http.Json;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.State;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>The console with its shared state in DynamoDB (dynalite): only State:Uri changes.</summary>
public sealed class DynamoDbStateConsoleTests(DynaliteServer dynalite) : IClassFixture<DynaliteServer>
{
    [Fact]
    public async Task Checkpoints_StateInDynamoDb_ListChangeAndHistoryGoThroughIt()
    {
        var uri = dynalite.StateUri($"opsconsole-console-{Guid.NewGuid():N}");
        await StateStores.Factory().InitAsync(uri);
        await StateStores.Open(uri).WriteCheckpointAsync("stripe", "refunds", 1_790_000_000, 0, "run-x", "run run-x committed table version 0");
        using var console = FakeJobConsole(new Dictionary<string, string?> { ["State:Uri"] = uri });
        using var admin = console.BasicClient("admin");

        var list = (await admin.GetFromJsonAsync<List<CheckpointStatus>>("/api/checkpoints", Json))!;
        Assert.Equal(1_790_000_000, list.Single(c => c.Stream == "refunds").Cursor);

        var response = await admin.PutAsJsonAsync("/api/checkpoints/stripe/refunds",
            new CheckpointChange { Action = CheckpointAction.Reset, ExpectedVersion = 1, Confirm = "refunds", Reason = "resync from DynamoDB" }, Json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        var history = await StateStores.Open(uri).HistoryAsync("stripe", "refunds");
        Assert.Equal([2L, 1L], history.Select(v => v.Version));
        Assert.Equal((null, 1_790_000_000L), (history[0].Cursor, history[0].PreviousCursor!.Value));
    }
}
