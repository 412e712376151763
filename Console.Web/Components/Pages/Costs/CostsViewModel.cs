using OpsConsole.Shared.Costs;

namespace OpsConsole.Web.Components.Pages.Costs;

/// <summary>The Costs page: the chosen range and its cost summary.</summary>
public sealed class CostsViewModel(ICostService costs, TimeProvider time)
{
    public static IReadOnlyList<(string Label, int? Days)> Ranges { get; } = [("This month", null), ("Last 7 days", 7), ("Last 30 days", 30)];

    public CostSummary? Summary { get; private set; }

    public string Range { get; private set; } = "This month";

    /// <summary>Whether the runs are priced at spot rates.</summary>
    public bool Spot => Summary is { Runs.Count: > 0 } summary && summary.Runs[0].Cost.Capacity == "spot";

    /// <summary>Loads a range: the last <paramref name="days"/> days, or the month so far (null).</summary>
    public async Task LoadAsync(string label, int? days, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var from = days is { } d ? now.AddDays(-d) : new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        Range = label;
        Summary = await costs.SummaryAsync(from, now, cancellationToken);
    }

    public static string BudgetClass(string state) => state switch
    {
        "over" => "dq-badge dq-blocked",
        "forecast_over" => "dq-badge dq-failed",
        "near" => "dq-badge dq-warned",
        _ => "dq-badge dq-passed",
    };

    public static string BudgetText(string state) => state switch
    {
        "over" => "over budget",
        "forecast_over" => "forecast over budget",
        "near" => "near the budget",
        _ => "within budget",
    };
}
