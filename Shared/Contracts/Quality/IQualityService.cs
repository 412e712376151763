namespace OpsConsole.Shared.Quality;

/// <summary>Data-quality reports as the console shows them: per stream, per run, and each rule over runs.</summary>
public interface IQualityService
{
    /// <summary>Every stream the console knows, with its latest report (null before its first judged run).</summary>
    Task<IReadOnlyList<StreamQuality>> StreamsAsync(CancellationToken cancellationToken = default);

    /// <summary>A stream's reports, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<QualityReport>> HistoryAsync(string source, string stream, int limit, CancellationToken cancellationToken = default);

    Task<QualityReport?> ReportAsync(string runId, CancellationToken cancellationToken = default);
}

public sealed record StreamQuality(string Source, string Stream, QualityReport? Latest);

/// <summary>One run's point on a rule's trend: what it observed and the band it was held to.</summary>
public sealed record TrendPoint(string RunId, DateTimeOffset At, double? Observed, double? Lower, double? Upper, RuleOutcome Outcome);

public static class QualityTrend
{
    /// <summary>A rule's points over the given reports, oldest first (runs where the rule did not exist are left out).</summary>
    public static IReadOnlyList<TrendPoint> Of(IEnumerable<QualityReport> reports, string rule) =>
    [
        .. reports.OrderBy(r => r.At).SelectMany(report => report.Rules.Where(r => r.Rule == rule).Take(1)
            .Select(r => new TrendPoint(report.RunId, DateTimeOffset.FromUnixTimeMilliseconds(report.At), r.Observed, r.Lower, r.Upper, r.Outcome))),
    ];
}
