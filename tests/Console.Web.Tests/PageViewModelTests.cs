using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Costs;
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
    public async Task Audit_FiltersBecomeTheQuery_AndMorePagesAfterTheLastEntry()
    {
        var audit = new FakeAuditLog(AuditViewModel.PageSize + 5);
        var model = new AuditViewModel(audit) { Actor = "  admin ", Stream = "stripe/charges", From = new DateTime(2026, 11, 1, 8, 0, 0) };

        await model.SearchAsync();

        Assert.Equal("admin", audit.Last!.Actor);
        Assert.Equal("stripe/charges", audit.Last.Stream);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero), audit.Last.From);
        Assert.Equal(AuditViewModel.PageSize, model.Entries!.Count);
        Assert.True(model.More);

        await model.MoreAsync();

        Assert.Equal(model.Entries[AuditViewModel.PageSize - 1].Id, audit.Last.Before);
        Assert.Equal(AuditViewModel.PageSize + 5, model.Entries.Count);
        Assert.False(model.More);
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

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class FakeAuditLog(int total) : IAuditLog
    {
        public AuditQuery? Last { get; private set; }

        public Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) => Task.FromResult(entry);

        public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
        {
            Last = query;
            IReadOnlyList<AuditEntry> page = [.. Enumerable.Range(1, total).Select(i => (long)(total - i + 1)).Where(id => query.Before is null || id < query.Before)
                .Take(query.Limit).Select(id => new AuditEntry { Id = id, Actor = "admin", Action = AuditActions.RunLaunch, Target = $"run-{id}" })];
            return Task.FromResult(page);
        }
    }

    private sealed class FakeCostService : ICostService
    {
        public DateTimeOffset From { get; private set; }

        public DateTimeOffset To { get; private set; }

        public Task<CostSummary> SummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
        {
            (From, To) = (from, to);
            return Task.FromResult(new CostSummary { From = from, To = to, Runs = [], Days = [], Streams = [], Month = new MonthCost { Month = "2026-11", BudgetState = "within" } });
        }
    }

    private sealed class FakeCheckpointService : ICheckpointService
    {
        public int Lists { get; private set; }

        public (string, string)? HistoryOf { get; private set; }

        public Task<IReadOnlyList<CheckpointStatus>> ListAsync(CancellationToken cancellationToken = default)
        {
            Lists++;
            return Task.FromResult<IReadOnlyList<CheckpointStatus>>([.. OpsConsole.Shared.Streams.StreamCatalog.Names().Select(s => new CheckpointStatus { Source = "stripe", Stream = s })]);
        }

        public Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default)
        {
            HistoryOf = (source, stream);
            return Task.FromResult<IReadOnlyList<CheckpointVersion>>([]);
        }

        public Task<CheckpointPreview> PreviewAsync(string source, string stream, CheckpointChange change, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Checkpoint> ChangeAsync(string source, string stream, CheckpointChange change, CallerInfo caller, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
