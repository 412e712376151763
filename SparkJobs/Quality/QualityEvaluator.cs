using System.Text.Json;
using OpsConsole.Shared.Quality;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>
/// Judges one pass over a run's rows: every row goes once through every rule as the merge reads it from staging, so
/// the rules cost no second read of the data. Memory per rule is bounded (see <see cref="KeySet"/>,
/// <see cref="Reservoir"/>, <see cref="ValueCounts"/>, <see cref="ForeignKeyRule.DistinctLimit"/>).
/// </summary>
public sealed class QualityEvaluator(IReadOnlyList<Rule> rules, int idColumn)
{
    private readonly Rule[] _rules = [.. rules];
    private readonly bool _readsRecord = rules.Any(r => r.ReadsRecord);
    private long _rows;

    public long Rows => _rows;

    /// <param name="row">The typed row.</param>
    /// <param name="record">The source object it came from.</param>
    /// <param name="unknownFields">The record's fields the schema does not know, as the transform found them (null: none).</param>
    public void Observe(object?[] row, JsonElement record, IReadOnlyList<string>? unknownFields = null)
    {
        _rows++;
        if (_rules.Length == 0)
        {
            return;
        }
        var id = (string)row[idColumn]!;
        var source = _readsRecord ? record : default;
        foreach (var rule in _rules)
        {
            rule.Observe(row, source, id, unknownFields);
        }
    }

    /// <summary>Gives every rule's verdict and the run's report; the run metrics are always measured, rules or not.</summary>
    public async Task<QualityReport> FinishAsync(string runId, string source, string stream, QualityContext context, CancellationToken cancellationToken)
    {
        var results = new List<RuleResult>(_rules.Length);
        foreach (var rule in _rules)
        {
            results.Add(await rule.FinishAsync(context, cancellationToken));
        }
        context.Metrics["row_count"] = context.Rows;
        context.Metrics["rejected"] = context.Rejected;
        if (context.WindowTo > context.WindowFrom)
        {
            context.Metrics["records_per_hour"] = context.Rows * 3600.0 / (context.WindowTo - context.WindowFrom);
        }
        return new QualityReport
        {
            RunId = runId, Source = source, Stream = stream, At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Rows = context.Rows,
            WindowFrom = context.WindowFrom, WindowTo = context.WindowTo, Outcome = QualityOutcomes.Of(results), Rules = results,
            // A metric that is not a finite number (no values) is no baseline and cannot be written as JSON.
            Metrics = context.Metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal),
            Distributions = context.Distributions,
        };
    }
}

/// <summary>A blocking rule failed: nothing of the run was committed and the checkpoint did not move.</summary>
public sealed class QualityBlockedException(QualityReport report)
    : Exception($"Blocked by data quality: {string.Join("; ", report.Rules.Where(r => r.Blocking && r.Outcome == RuleOutcome.Failed).Select(r => $"{r.Rule} ({r.Message})"))}")
{
    public QualityReport Report { get; } = report;
}
