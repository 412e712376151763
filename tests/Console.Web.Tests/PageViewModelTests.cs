using OpsConsole.Shared.Audit;
using OpsConsole.Shared.State;
using OpsConsole.Web.Components.Pages.Audit;
using OpsConsole.Web.Components.Pages.Checkpoints;
using OpsConsole.Web.Components.Pages.Costs;

namespace OpsConsole.Web.Tests;

/// <summary>The Audit, Costs and Checkpoints pages' view models, driven without a browser.</summary>
public sealed class PageViewModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Audit_FiltersBecomeTheQuery_PagedAndCountedByTheStore()
    {
        var audit = new FakeAuditLog();
        for (var i = 0; i < 60; i++)
        {
            await audit.AppendAsync(new AuditEntry { Actor = i % 2 == 0 ? "admin" : "operator", Action = AuditActions.RunLaunch, Target = $"run-{i}", Stream = "stripe/charges", Outcome = "ok" });
        }
        var model = new AuditViewModel(audit) { Actor = "  ADMIN ", Stream = "stripe/charges", From = new DateTime(2026, 11, 1, 8, 0, 0) };

        await model.LoadAsync(page: 1, pageSize: 25, oldestFirst: false);

        Assert.Equal("ADMIN", audit.Last!.Actor);
        Assert.Equal("stripe/charges", audit.Last.Stream);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero), audit.Last.From);
        Assert.Equal(25, audit.Last.Offset);
        Assert.Equal(30, model.Total);
        Assert.Equal(5, model.Entries.Count);
        Assert.True(model.Filtered);
        Assert.Equal(["stripe/charges", "stripe/customers", "stripe/refunds"], AuditViewModel.Streams);
    }

    [Fact]
    public async Task Costs_Range_AsksFromTheMonthsStartOrTheDaysBack()
    {
        var costs = new FakeCostService();
        var model = new CostsViewModel(costs, new FixedTime(Now));

        await model.LoadAsync("This month", null);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), costs.From);

        await model.LoadAsync("Last 7 days", 7);
        Assert.Equal(Now.AddDays(-7), costs.From);
        Assert.Equal("Last 7 days", model.Range);
        Assert.Equal(Now, costs.To);
        Assert.Equal("forecast over budget", CostsViewModel.BudgetText("forecast_over"));
    }

    [Fact]
    public async Task Checkpoints_AfterAChange_SaysWhatChangedAndOpensTheStreamsHistory()
    {
        var service = new FakeCheckpointService();
        var model = new CheckpointsViewModel(service);
        await model.LoadAsync();

        await model.ChangedAsync(new Checkpoint("stripe", "refunds", 1_790_000_000, 4, Now, "admin", "replay"));

        Assert.StartsWith("stripe/refunds is at version 4: 2026-09-21 14:13:20 UTC (1790000000)", model.Message, StringComparison.Ordinal);
        Assert.Equal("refunds", model.History!.Stream);
        Assert.Equal(("stripe", "refunds"), service.HistoryOf);
        Assert.Equal(2, service.Lists);
    }
}
