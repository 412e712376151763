using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsConsole.Shared.Quality;

/// <summary>How much a failing rule matters. Only <see cref="Error"/> makes a run's quality <c>failed</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    Info,
    Warn,
    Error,
}

/// <summary>One rule's verdict on one run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RuleOutcome>))]
public enum RuleOutcome
{
    Passed,
    Failed,

    /// <summary>The rule could not be judged: no rows to look at, or too little history for an anomaly strategy.</summary>
    Skipped,
}

/// <summary>
/// A run's quality as a whole: <c>passed</c>, <c>warned</c> (only info or warn rules failed), <c>failed</c> (an error
/// rule failed; the run still committed) or <c>blocked</c> (a blocking rule failed; nothing was committed).
/// </summary>
public static class QualityOutcomes
{
    public const string Passed = "passed";
    public const string Warned = "warned";
    public const string Failed = "failed";
    public const string Blocked = "blocked";

    public static string Of(IEnumerable<RuleResult> results)
    {
        var failing = results.Where(r => r.Outcome == RuleOutcome.Failed).ToList();
        return failing.Any(r => r.Blocking) ? Blocked
            : failing.Any(r => r.Severity == Severity.Error) ? Failed
            : failing.Count > 0 ? Warned
            : Passed;
    }
}

/// <summary>
/// One rule's result: the value it observed, the bounds it held it to (<see cref="Lower"/>, <see cref="Upper"/>; for an
/// anomaly strategy, the band its history allows), how many rows failed and a capped sample of their ids.
/// </summary>
public sealed record RuleResult
{
    public required string Rule { get; init; }

    public required string Type { get; init; }

    public string? Column { get; init; }

    public required Severity Severity { get; init; }

    public bool Blocking { get; init; }

    /// <summary>The console's webhook route (<c>Notifications:Routes</c>) that hears of this rule's failure, or null.</summary>
    public string? Notify { get; init; }

    public required RuleOutcome Outcome { get; init; }

    /// <summary>What the rule measured: a metric (a mean, a row count) or, for a row rule, the fraction of failing rows.</summary>
    public double? Observed { get; init; }

    public double? Lower { get; init; }

    public double? Upper { get; init; }

    /// <summary>The threshold in words, e.g. "at most 0.0% of rows" or "within 3 standard deviations of the last 12 runs".</summary>
    public required string Threshold { get; init; }

    public long Failing { get; init; }

    public double FailingFraction { get; init; }

    /// <summary>True when the figures come from an estimate (a uniqueness check past its exact key limit).</summary>
    public bool Estimated { get; init; }

    /// <summary>Ids of failing rows, at most <see cref="QualityReport.SampleLimit"/>.</summary>
    public IReadOnlyList<string> Samples { get; init; } = [];

    public required string Message { get; init; }
}

/// <summary>
/// The data-quality report of one run: every rule's result, the metrics the anomaly strategies compare over runs, and the
/// value distributions the stability and drift rules compare with the previous run.
/// </summary>
public sealed record QualityReport
{
    public const int SampleLimit = 20;

    public required string RunId { get; init; }

    public required string Source { get; init; }

    public required string Stream { get; init; }

    /// <summary>When the report was made (unix milliseconds).</summary>
    public required long At { get; init; }

    /// <summary>Rows the rules looked at (records that became rows).</summary>
    public required long Rows { get; init; }

    /// <summary>The run's window on <c>created</c> (unix seconds).</summary>
    public long WindowFrom { get; init; }

    public long WindowTo { get; init; }

    /// <summary>See <see cref="QualityOutcomes"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Where the blocked run's raw pages were kept for inspection (null unless blocked).</summary>
    public string? Quarantine { get; init; }

    public required IReadOnlyList<RuleResult> Rules { get; init; }

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Distributions { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, double>>();

    /// <summary>
    /// Set when this copy was shortened to fit a store with an item limit (DynamoDB's 400 KB): it lacks the rules'
    /// samples and the distributions (and, if still too large, the rules), and the whole report is in the lake at this
    /// path (<see cref="Lake.LakePaths.QualityReport"/>). Null for a whole report.
    /// </summary>
    public string? FullReport { get; init; }

    public bool Blocked => Outcome == QualityOutcomes.Blocked;

    /// <summary>
    /// This report as JSON of at most <paramref name="maxBytes"/> UTF-8 bytes: whole when it fits, else shortened
    /// with <see cref="FullReport"/> pointing at the whole one in the lake.
    /// </summary>
    public string ToJson(int maxBytes)
    {
        var json = ToJson();
        if (System.Text.Encoding.UTF8.GetByteCount(json) <= maxBytes)
        {
            return json;
        }
        var shortened = this with
        {
            Rules = [.. Rules.Select(r => r with { Samples = [] })],
            Distributions = new Dictionary<string, IReadOnlyDictionary<string, double>>(),
            FullReport = Lake.LakePaths.QualityReport(Source, Stream, RunId),
        };
        json = shortened.ToJson();
        return System.Text.Encoding.UTF8.GetByteCount(json) <= maxBytes ? json : (shortened with { Rules = [], Metrics = new Dictionary<string, double>() }).ToJson();
    }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static QualityReport FromJson(string json) =>
        JsonSerializer.Deserialize<QualityReport>(json, JsonOptions) ?? throw new InvalidDataException("A quality report is empty.");
}
