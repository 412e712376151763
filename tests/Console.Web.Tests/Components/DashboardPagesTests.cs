using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Costs;
using OpsConsole.Web.Components.Pages.Costs;
using OpsConsole.Web.Components.Pages.Quality;

namespace OpsConsole.Web.Tests.Components;

public sealed class DashboardPagesTests : ConsoleComponentTest
{
    [Fact]
    public void Quality_NoResults_EmptyState()
    {
        SignIn("viewer", ConsoleRole.Viewer);

        var page = RenderPage<QualityPage>();

        Eventually(page, () => Assert.Contains("No quality results yet", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Quality_OpensTheWorstStream_ItsFailingRuleWithTrendAndChart()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Quality.Reports.Add(RunDetailPageTests.Report("run-1", "passed", "customers", 1_795_000_000_000));
        Quality.Reports.Add(RunDetailPageTests.Report("run-2", "failed", "customers", 1_795_000_060_000));
        Quality.Reports.Add(RunDetailPageTests.Report("run-3", "passed", "charges", 1_795_000_000_000));

        var page = RenderPage<QualityPage>();

        Eventually(page, () =>
        {
            Assert.Equal("true", page.Find(".dq-stream[data-stream=customers]").GetAttribute("aria-pressed"));
            Assert.Contains("unique_id over the last 2 runs", page.Find(".dq-trend h2").TextContent, StringComparison.Ordinal);
            Assert.Contains("failed", page.Find(".dq-trend-row[data-run=run-2]").TextContent, StringComparison.Ordinal);
            Assert.NotNull(page.Find("#dq-trend-chart svg"));
        });
        // Observed, and the lower bound each run had (no upper bound: not drawn).
        Assert.Contains("Observed", page.Find("#dq-trend-chart").TextContent, StringComparison.Ordinal);
        Assert.Contains("Lower bound", page.Find("#dq-trend-chart").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Upper bound", page.Find("#dq-trend-chart").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Costs_NoRuns_EmptyState_AndTheRangeButtonsAsk()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var page = RenderPage<CostsPage>();
        Eventually(page, () => Assert.Contains("No costs yet", page.Markup, StringComparison.Ordinal));

        page.FindAll(".cost-ranges button").Single(b => b.TextContent.Trim() == "Last 7 days").Click();

        Eventually(page, () => Assert.Equal(FakeRunService.Now.AddDays(-7), Costs.From));
        Assert.Equal("true", page.FindAll(".cost-ranges button").Single(b => b.TextContent.Trim() == "Last 7 days").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Costs_PerRunPerStreamAndPerDayChart()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var cost = new RunCost { Total = 0.0123, Compute = 0.01, Memory = 0.002, ControlPlane = 0.0001, Storage = 0.0001, Requests = 0.0001, Glue = 0.44, Capacity = "on-demand" };
        Costs.Summary = new CostSummary
        {
            From = FakeRunService.Now.AddDays(-2), To = FakeRunService.Now,
            Runs = [new RunCostRow("run-a", "stripe", "charges", "Succeeded", FakeRunService.Now.AddHours(-1), FakeRunService.Now.AddMinutes(-59), 1000, cost)],
            Days = [new DayCost(new DateOnly(2026, 11, 25), 0.01, 0.009, 0.001), new DayCost(new DateOnly(2026, 11, 26), 0.0123, 0.012, 0.0003)],
            Streams = [new StreamCost("stripe", "charges", 1, 0.0123, 0.0123, 0.44)],
            Month = new MonthCost { Month = "2026-11", ToDate = 1.5, Forecast = 2, Budget = 10, BudgetState = "within" },
        };

        var page = RenderPage<CostsPage>();

        Eventually(page, () =>
        {
            Assert.Equal("$0.0123", page.Find(".cost-run[data-run=run-a] .cost-total").TextContent);
            Assert.Equal("$1.50", page.Find("#cost-month-to-date").TextContent);
            Assert.NotNull(page.Find("#cost-days-chart svg"));
            Assert.Contains("11-26", page.Find("#cost-days-chart").TextContent, StringComparison.Ordinal);
        });
    }
}
