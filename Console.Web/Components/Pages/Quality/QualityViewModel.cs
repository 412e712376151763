using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Web.Components.Pages.Quality;

/// <summary>
/// The Quality page: every stream's latest outcome, the chosen stream's recent reports, and the chosen rule's trend
/// as chart series (observed value and the band it was held to).
/// </summary>
public sealed class QualityViewModel(IQualityService quality)
{
    public const int Runs = 30;

    public IReadOnlyList<StreamQuality>? Streams { get; private set; }

    public IReadOnlyList<QualityReport>? History { get; private set; }

    public IReadOnlyList<TrendPoint> Trend { get; private set; } = [];

    /// <summary>The chart's x labels, oldest run left: each run's time (UTC).</summary>
    public string[] Labels { get; private set; } = [];

    /// <summary>The observed value per run of <see cref="Labels"/>; null where the rule observed nothing.</summary>
    public double?[] Observed { get; private set; } = [];

    /// <summary>The band's lower bound per run; null where the rule had none.</summary>
    public double?[] Lower { get; private set; } = [];

    public double?[] Upper { get; private set; } = [];

    public string? Stream { get; private set; }

    public string? Rule { get; private set; }

    /// <summary>Loads the streams and opens the one whose latest run is in the worst state.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        Streams = await quality.StreamsAsync(cancellationToken);
        var first = Streams.Where(s => s.Latest is not null)
            .OrderByDescending(s => s.Latest!.Outcome switch { QualityOutcomes.Blocked => 3, QualityOutcomes.Failed => 2, QualityOutcomes.Warned => 1, _ => 0 })
            .ThenByDescending(s => s.Latest!.At).FirstOrDefault();
        if (first is not null)
        {
            await SelectStreamAsync(first.Stream, cancellationToken);
        }
    }

    /// <summary>Opens a stream on its worst failing rule (or its first measured one).</summary>
    public async Task SelectStreamAsync(string stream, CancellationToken cancellationToken = default)
    {
        Stream = stream;
        History = await quality.HistoryAsync(StreamCatalog.Stripe, stream, Runs, cancellationToken);
        var latest = History.Count > 0 ? History[0] : null;
        var rule = latest?.Rules.Where(r => r.Outcome == RuleOutcome.Failed).OrderByDescending(r => r.Severity).FirstOrDefault()
                   ?? latest?.Rules.FirstOrDefault(r => r.Observed is not null);
        SelectRule(rule?.Rule ?? "");
    }

    public void SelectRule(string rule)
    {
        Rule = rule;
        Trend = QualityTrend.Of(History ?? [], rule);
        var oneDay = Trend.Select(p => p.At.UtcDateTime.Date).Distinct().Count() <= 1;
        Labels = [.. Trend.Select(p => p.At.UtcDateTime.ToString(oneDay ? "HH:mm" : "MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))];
        Observed = [.. Trend.Select(p => p.Observed)];
        Lower = [.. Trend.Select(p => p.Lower)];
        Upper = [.. Trend.Select(p => p.Upper)];
    }

    /// <summary>The series worth drawing: the observed values, and each bound that some run had.</summary>
    public IReadOnlyList<(string Name, double?[] Values)> Series =>
        [.. new (string Name, double?[] Values)[] { ("Observed", Observed), ("Upper bound", Upper), ("Lower bound", Lower) }
            .Where(series => series.Values.Any(value => value is not null))];
}
