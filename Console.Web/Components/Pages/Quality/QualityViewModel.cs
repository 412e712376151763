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

    public IReadOnlyList<ChartPoint> Observed { get; private set; } = [];

    public IReadOnlyList<ChartPoint> Lower { get; private set; } = [];

    public IReadOnlyList<ChartPoint> Upper { get; private set; } = [];

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
        var labels = Trend.Select((p, i) => $"{i + 1}: {p.RunId}").ToList();
        Observed = [.. Trend.Select((p, i) => (p, i)).Where(x => x.p.Observed is not null).Select(x => new ChartPoint(labels[x.i], x.p.Observed!.Value))];
        Lower = [.. Trend.Select((p, i) => (p, i)).Where(x => x.p.Lower is not null).Select(x => new ChartPoint(labels[x.i], x.p.Lower!.Value))];
        Upper = [.. Trend.Select((p, i) => (p, i)).Where(x => x.p.Upper is not null).Select(x => new ChartPoint(labels[x.i], x.p.Upper!.Value))];
    }
}

/// <summary>One value on the chart; the category is the run's position and id, oldest left.</summary>
public sealed record ChartPoint(string Run, double Value);
