using System.Globalization;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;
using OpsConsole.Server.Notifications;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Costs;

/// <summary>
/// Prices each run when it ends (<see cref="CostModel"/>) and answers the Costs page: per run, per day, per stream,
/// the month so far, its forecast and the budget, which notifies through the webhook once per month and level.
/// </summary>
internal sealed class CostService(IRunStore store, IOptions<CostOptions> options, WebhookNotifier notifier, RunMetrics metrics, TimeProvider time,
    ILogger<CostService> logger) : ICostService, IRunPricer, IRunObserver
{
    /// <summary>Runs without pods (the local runner's processes) are priced as the EKS pod they stand for.</summary>
    private const bool Estimate = true;

    /// <summary>The cost of a run about to end (its <see cref="RunInfo.EndedAt"/> set); null for a run that never started.</summary>
    public async Task<RunCost?> PriceAsync(RunInfo run, CancellationToken cancellationToken)
    {
        if (run.StartedAt is not { } started || run.EndedAt is not { } ended)
        {
            return null;
        }
        var others = (await store.ListOverlappingAsync(started, ended, cancellationToken)).Where(r => r.Id != run.Id)
            .Select(r => new CostModel.Span(r.StartedAt!.Value, r.EndedAt ?? ended));
        var previous = await store.PreviousEndedAsync(run.Source, run.Stream, ended, run.Id, cancellationToken);
        var (prices, estimate) = Prices(run, options.Value);
        return CostModel.ForRun(new CostModel.Span(started, ended), run.Usage ?? new RunUsage(), prices, others, previous?.EndedAt, estimate);
    }

    /// <summary>
    /// What the run is priced at. A run whose pods the runner saw (Kubernetes) pays for the CPU and memory they
    /// requested, at their nodes' capacity type when every pod's is known and the same; any other run is an estimate:
    /// the pod shape of the price table, at the capacity the run asked for.
    /// </summary>
    internal static (CostOptions Prices, bool Estimate) Prices(RunInfo run, CostOptions table)
    {
        var requested = run.Capacity ?? table.Capacity;
        if (run.Pods is { Count: > 0 } pods && pods.Sum(p => p.Cpu) > 0)
        {
            var capacities = pods.Select(p => p.Capacity).Distinct().ToList();
            var copy = table.WithCapacity(capacities is [{ } known] ? known : requested);
            copy.PodCpu = pods.Sum(p => p.Cpu);
            copy.PodMemoryGiB = pods.Sum(p => p.MemoryGiB);
            return (copy, false);
        }
        return (requested == table.Capacity ? table : table.WithCapacity(requested), Estimate);
    }

    /// <summary>
    /// The month's total is checked against the budget, then the ended run's cost goes into the metrics (so a run
    /// counted there has had its budget check).
    /// </summary>
    public Task RunFinishedAsync(RunInfo run, bool announced, CancellationToken cancellationToken) => RecordAsync(run, cancellationToken);

    private async Task RecordAsync(RunInfo run, CancellationToken cancellationToken)
    {
        if (run.Cost is { } cost)
        {
            await CheckBudgetAsync(cancellationToken);
            metrics.Cost(run, cost);
        }
    }

    public async Task<CostSummary> SummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var runs = (await store.ListOverlappingAsync(from, to, cancellationToken)).Where(r => r.Cost is not null && r.EndedAt is not null).ToList();
        var rows = runs.OrderByDescending(r => r.StartedAt)
            .Select(r => new RunCostRow(r.Id, r.Source, r.Stream, r.State.ToString(), r.StartedAt, r.EndedAt, r.Progress.Records, r.Cost!)).ToList();
        var days = runs.SelectMany(r => CostModel.ByDay(new CostModel.Span(r.StartedAt!.Value, r.EndedAt!.Value), r.Cost!))
            .Where(d => d.Day >= DateOnly.FromDateTime(from.UtcDateTime) && d.Day < DateOnly.FromDateTime(to.UtcDateTime.AddTicks(-1)).AddDays(1))
            .GroupBy(d => d.Day).OrderBy(g => g.Key)
            .Select(g => new DayCost(g.Key, g.Sum(d => d.Total), g.Sum(d => d.Compute), g.Sum(d => d.Shared))).ToList();
        // A stream's cost in the range is its runs' cost in the range (a run reaching past an edge counts its share), as the days count it.
        double InRange(RunInfo r) => CostModel.ByDay(new CostModel.Span(r.StartedAt!.Value, r.EndedAt!.Value), r.Cost!)
            .Where(d => d.Day >= DateOnly.FromDateTime(from.UtcDateTime) && d.Day < DateOnly.FromDateTime(to.UtcDateTime.AddTicks(-1)).AddDays(1)).Sum(d => d.Total);
        var streams = runs.GroupBy(r => (r.Source, r.Stream)).OrderBy(g => g.Key)
            .Select(g => new StreamCost(g.Key.Source, g.Key.Stream, g.Count(), g.Sum(InRange),
                g.Sum(r => r.Progress.Records) > 0 ? g.Sum(r => r.Cost!.Total) / g.Sum(r => r.Progress.Records) * 1000 : 0, g.Sum(r => r.Cost!.Glue))).ToList();
        return new CostSummary
        {
            From = from, To = to, Total = days.Sum(d => d.Total), Runs = rows, Days = days, Streams = streams, Month = await MonthAsync(cancellationToken),
        };
    }

    private async Task<MonthCost> MonthAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var start = CostModel.MonthStart(now);
        var runs = (await store.ListOverlappingAsync(start, now, cancellationToken)).Where(r => r.Cost is not null && r.EndedAt is not null).ToList();
        var toDate = runs.SelectMany(r => CostModel.ByDay(new CostModel.Span(r.StartedAt!.Value, r.EndedAt!.Value), r.Cost!))
            .Where(d => d.Day >= DateOnly.FromDateTime(start.UtcDateTime)).Sum(d => d.Total);
        var forecast = CostModel.Forecast(toDate, now);
        var prices = options.Value;
        return new MonthCost
        {
            Month = start.ToString("yyyy-MM", CultureInfo.InvariantCulture), ToDate = toDate, Forecast = forecast,
            SpotSavings = runs.Sum(r => r.Cost!.OnDemandComputeAndMemory - r.Cost.SpotComputeAndMemory),
            Budget = prices.MonthlyBudget,
            BudgetState = CostModel.BudgetState(toDate, forecast, CostModel.ForecastSettled(now), prices.MonthlyBudget, prices.BudgetAlertFraction),
        };
    }

    /// <summary>Notifies once per month for each budget level reached: near (the alert share), forecast_over, over.</summary>
    private async Task CheckBudgetAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MonthlyBudget is null)
        {
            return;
        }
        var month = await MonthAsync(cancellationToken);
        var levels = month.BudgetState switch
        {
            "over" => new[] { "near", "forecast_over", "over" },
            "forecast_over" => ["near", "forecast_over"],
            "near" => ["near"],
            _ => [],
        };
        foreach (var level in levels)
        {
            if (await store.RecordBudgetAlertAsync(month.Month, level, time.GetUtcNow(), cancellationToken))
            {
                logger.LogWarning("Cost budget {Level} for {Month}: {ToDate:0.00} USD so far, {Forecast:0.00} forecast, budget {Budget:0.00}",
                    level, month.Month, month.ToDate, month.Forecast, month.Budget);
                await notifier.NotifyAsync(NotificationEvents.CostBudget, month.Month, new
                {
                    month = month.Month, level, toDate = Math.Round(month.ToDate, 4), forecast = Math.Round(month.Forecast, 4), budget = month.Budget,
                    alertFraction = options.Value.BudgetAlertFraction,
                }, CancellationToken.None);
            }
        }
    }
}

/// <summary><c>/api/costs</c>.</summary>
internal static class CostsApi
{
    public static WebApplicationBuilder AddCosts(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CostOptions, CostOptionsValidator>(CostOptions.Section);
        builder.Services.AddSingleton<CostService>();
        builder.Services.AddSingleton<ICostService>(sp => sp.GetRequiredService<CostService>());
        builder.Services.AddSingleton<IRunPricer>(sp => sp.GetRequiredService<CostService>());
        builder.Services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<CostService>());
        return builder;
    }

    public static void MapCostsApi(this WebApplication app)
    {
        app.MapGroup("/api").RequireAuthorization(Shared.Auth.ConsolePolicies.Viewer).WithTags("Costs")
            .MapGet("/costs", async Task<IResult> (string? from, string? to, ICostService costs, TimeProvider time, CancellationToken cancellationToken) =>
            {
                var now = time.GetUtcNow();
                var errors = new Dictionary<string, string[]>();
                var start = Parse(from, "from", CostModel.MonthStart(now), errors);
                var end = Parse(to, "to", now, errors);
                if (errors.Count == 0 && start >= end)
                {
                    errors["from"] = ["must be before to."];
                }
                if (errors.Count == 0 && (end - start).TotalDays > 366)
                {
                    errors["to"] = ["the range may span at most 366 days."];
                }
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await costs.SummaryAsync(start, end, cancellationToken));
            })
            .WithSummary("Cost per run, per UTC day and per stream over [from, to) (ISO 8601; default: this month), the month so far with its forecast, spot savings and the budget.");
    }

    private static DateTimeOffset Parse(string? value, string field, DateTimeOffset fallback, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return fallback;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }
        errors[field] = [$"'{value}' is not an ISO 8601 time such as 2026-11-01T00:00:00Z."];
        return fallback;
    }
}
