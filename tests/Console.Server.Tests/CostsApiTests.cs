using System.Net;
using System.Net.Http.Json;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>Runs priced when they end, <c>/api/costs</c>, cost in <c>/metrics</c>, and the budget's webhook.</summary>
public sealed class CostsApiTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = default!;
    private ConsoleAppFactory _console = default!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _console = FakeJobConsole(_receiver, new Dictionary<string, string?> { ["Costs:MonthlyBudget"] = "0.000001" });
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task EndedRun_IsPricedFromWhatItUsed_AndSummedPerStreamAndMonth_AndTheBudgetNotifiesOncePerLevel()
    {
        using var client = _console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(new RunUsage { CpuSeconds = 1.5, PeakRssBytes = 104_857_600, LakePuts = 12, LakeGets = 30, StateWrites = 9, StateReads = 4, TableBytes = 1L << 30 }, run.Usage);
        var cost = run.Cost!;
        var hours = (run.EndedAt!.Value - run.StartedAt!.Value).TotalHours;
        Assert.Equal((12 / 1000.0 * 0.005) + (30 / 1000.0 * 0.0004) + (9 / 1e6 * 0.625) + (4 / 1e6 * 0.125), cost.Requests, 12);
        Assert.Equal(Math.Max(2 * hours, 1.5 / 3600) * 0.031611, cost.Compute, 12);
        Assert.Equal(0.023 * hours / 730, cost.Storage, 12);
        Assert.Equal(0.10 * hours, cost.ControlPlane, 12);

        var summary = (await client.GetFromJsonAsync<CostSummary>("/api/costs", Json))!;
        Assert.Equal(run.Id, Assert.Single(summary.Runs).RunId);
        var stream = Assert.Single(summary.Streams);
        Assert.Equal(("charges", 1, cost.Total), (stream.Stream, stream.Runs, stream.Total));
        Assert.Equal(cost.Total / 150 * 1000, stream.PerThousandRecords, 12);
        Assert.Equal(cost.Total, summary.Total, 12);
        Assert.Equal(cost.Total, summary.Month.ToDate, 12);
        Assert.Equal("over", summary.Month.BudgetState);

        // The budget of a millionth of a dollar is passed at once: one notification per level, and none again for a second run.
        var events = await _receiver.ReceivedAsync(3);
        Assert.Equal(["forecast_over", "near", "over"], events.Select(e => e.GetProperty("data").GetProperty("level").GetString()).Order());
        Assert.All(events, e => Assert.Equal(NotificationEvents.CostBudget, e.GetProperty("event").GetString()));
        await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id);
        // A run counted in the metrics has had its budget check, and a notification is in the delivery log before it is sent.
        var metrics = "";
        for (var i = 0; i < 200 && !metrics.Contains("opsconsole_run_cost_usd_count{source=\"stripe\",stream=\"charges\"} 2", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
            metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }
        using var admin = _console.BasicClient("admin");
        var deliveries = await admin.GetFromJsonAsync<List<System.Text.Json.JsonElement>>("/api/notifications/deliveries", Json);
        Assert.Equal(3, deliveries!.Count(d => d.GetProperty("event").GetString() == NotificationEvents.CostBudget));

        Assert.Contains("opsconsole_run_cost_usd_count{source=\"stripe\",stream=\"charges\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("opsconsole_cost_usd_total{component=\"requests\",source=\"stripe\",stream=\"charges\"}", metrics, StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(metrics);
        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    public async Task Costs_BadRange_Answers400NamingTheField(string query, string field)
    {
        using var client = _console.BasicClient("viewer");

        using var response = await client.GetAsync(new Uri($"/api/costs{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Costs_Anonymous_Is401()
    {
        using var client = _console.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/api/costs", UriKind.Relative))).StatusCode);
    }
}
