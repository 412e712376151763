using OpsConsole.Server.Costs;
using OpsConsole.Shared.Costs;
using static OpsConsole.Server.Costs.CostModel;

namespace OpsConsole.Server.Tests;

/// <summary>The cost arithmetic on cases computed by hand (default prices: OpenCost's AWS defaults, us-east-1 S3, DynamoDB, Glue).</summary>
public sealed class CostModelTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly CostOptions OnDemand = new();
    private static readonly CostOptions Spot = new() { Capacity = "spot" };

    [Fact]
    public void UsageBelowTheRequest_PaysTheRequest_AtOnDemandOrSpotPrices()
    {
        var usage = new RunUsage { CpuSeconds = 1800, PeakRssBytes = 1L << 30 };

        var onDemand = ForRun(new Span(Ten, Ten.AddHours(1)), usage, OnDemand, [], null, estimate: true);
        var spot = ForRun(new Span(Ten, Ten.AddHours(1)), usage, Spot, [], null, estimate: true);

        // 2 requested cores for an hour (0.5 used), 4 requested GiB for an hour (1 used).
        Assert.Equal(2, onDemand.CoreHours, 9);
        Assert.Equal(4, onDemand.GiBHours, 9);
        Assert.Equal(2 * 0.031611, onDemand.Compute, 9);
        Assert.Equal(4 * 0.004237, onDemand.Memory, 9);
        Assert.Equal(2 * 0.006655, spot.Compute, 9);
        Assert.Equal(4 * 0.000892, spot.Memory, 9);
        Assert.Equal(onDemand.OnDemandComputeAndMemory, spot.OnDemandComputeAndMemory, 9);
        Assert.Equal((2 * 0.031611) + (4 * 0.004237) - (2 * 0.006655) - (4 * 0.000892), spot.OnDemandComputeAndMemory - spot.SpotComputeAndMemory, 9);
        Assert.Equal(("on-demand", "spot"), (onDemand.Capacity, spot.Capacity));
        Assert.True(onDemand.Estimate);
    }

    [Fact]
    public void UsageAboveTheRequest_PaysTheUsage()
    {
        var cost = ForRun(new Span(Ten, Ten.AddHours(1)), new RunUsage { CpuSeconds = 3 * 3600, PeakRssBytes = 6L << 30 }, OnDemand, [], null, true);

        Assert.Equal(3, cost.CoreHours, 9);
        Assert.Equal(6, cost.GiBHours, 9);
        Assert.Equal((3 * 0.031611) + (6 * 0.004237) + 0.10, cost.Total, 9);
    }

    [Fact]
    public void ControlPlane_IsSharedByTheRunsActiveAtTheSameTime()
    {
        var a = new Span(Ten, Ten.AddHours(2));
        var b = new Span(Ten.AddHours(1), Ten.AddHours(3));
        var c = new Span(Ten.AddHours(1.5), Ten.AddHours(1.75));

        // a: alone 10-11 (1 h), with b 11-11:30 (0.25), with b and c 11:30-11:45 (0.0833), with b 11:45-12 (0.125).
        Assert.Equal(1 + 0.25 + (0.25 / 3) + 0.125, SharedHours(a, [b, c]), 9);
        Assert.Equal(0.25 / 3, SharedHours(c, [a, b]), 9);
        // Every hour of the control plane is paid exactly once across the three runs (10:00 to 13:00).
        Assert.Equal(3, SharedHours(a, [b, c]) + SharedHours(b, [a, c]) + SharedHours(c, [a, b]), 9);
        Assert.Equal(0.10 * SharedHours(a, [b, c]), ForRun(a, new RunUsage(), OnDemand, [b, c], null, true).ControlPlane, 9);
    }

    [Fact]
    public void Storage_IsTheTablesGiBMonthsSinceTheStreamsPreviousRun_AndRequestsArePricedPerCall()
    {
        var usage = new RunUsage { TableBytes = 10L << 30, LakePuts = 2000, LakeGets = 10_000, StateWrites = 1_000_000, StateReads = 2_000_000 };

        var cost = ForRun(new Span(Ten, Ten.AddHours(1)), usage, OnDemand, [], previousRunEnd: Ten.AddHours(-23), true);
        var first = ForRun(new Span(Ten, Ten.AddHours(1)), usage, OnDemand, [], previousRunEnd: null, true);

        Assert.Equal(10 * 0.023 * 24 / 730, cost.Storage, 9);
        Assert.Equal(10 * 0.023 * 1 / 730, first.Storage, 9);
        Assert.Equal(0.01 + 0.004 + 0.625 + 0.25, cost.Requests, 9);
    }

    [Fact]
    public void Glue_BillsTheMinimumDpusAndTheMinimumMinute()
    {
        Assert.Equal(2 * 60.0 / 3600 * 0.44, ForRun(new Span(Ten, Ten.AddSeconds(30)), new RunUsage(), OnDemand, [], null, true).Glue, 9);
        Assert.Equal(4 * 1 * 0.44, ForRun(new Span(Ten, Ten.AddHours(1)), new RunUsage(), new CostOptions { PodCpu = 16 }, [], null, true).Glue, 9);
    }

    [Fact]
    public void RunCrossingMidnight_IsSplitByItsTimeInEachDay()
    {
        var run = new Span(new DateTimeOffset(2026, 11, 20, 22, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 1, 0, 0, TimeSpan.Zero));
        var cost = ForRun(run, new RunUsage(), OnDemand, [], null, true);

        var days = ByDay(run, cost);

        Assert.Equal([new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21)], days.Select(d => d.Day));
        Assert.Equal(cost.Total * 2 / 3, days[0].Total, 9);
        Assert.Equal(cost.Total / 3, days[1].Total, 9);
        Assert.Equal((cost.Compute + cost.Memory) / 3, days[1].Compute, 9);
        Assert.Equal(cost.ControlPlane / 3, days[1].Shared, 9);
    }

    [Fact]
    public void Forecast_ExtendsTheAverageDaySoFarToTheMonthsEnd_AndTheBudgetStateFollows()
    {
        // 10 of November's 30 days have passed.
        Assert.Equal(30, Forecast(10, new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero)), 9);
        // Half an hour into the month, one run is not a month's trend: the forecast counts at least a day.
        Assert.Equal(0.05 * 30, Forecast(0.05, new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.Zero)), 9);
        Assert.False(ForecastSettled(new DateTimeOffset(2026, 11, 3, 23, 0, 0, TimeSpan.Zero)));
        Assert.True(ForecastSettled(new DateTimeOffset(2026, 11, 4, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("ok", BudgetState(10, 30, true, 100, 0.8));
        Assert.Equal("near", BudgetState(81, 99, true, 100, 0.8));
        Assert.Equal("forecast_over", BudgetState(50, 150, true, 100, 0.8));
        Assert.Equal("ok", BudgetState(50, 150, false, 100, 0.8));
        Assert.Equal("over", BudgetState(100, 300, false, 100, 0.8));
        Assert.Equal("none", BudgetState(100, 300, true, null, 0.8));
    }
}
