using System.Globalization;
using System.Text.Json;
using OpsConsole.Shared.Quality;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>What every rule has, whatever its type.</summary>
public sealed record RuleHeader(string Name, string Type, string? Column, Severity Severity, bool Blocking)
{
    /// <summary>The console's webhook route that hears of this rule's failures (an owning team's), or null for none of its own.</summary>
    public string? Notify { get; init; }
}

/// <summary>What a rule may use when it gives its verdict at the end of the pass.</summary>
public sealed class QualityContext
{
    public required long Rows { get; init; }

    public required long Rejected { get; init; }

    /// <summary>When the rules are judged (unix seconds).</summary>
    public required long Now { get; init; }

    public required long WindowFrom { get; init; }

    public required long WindowTo { get; init; }

    /// <summary>The stream's earlier committed reports, newest first.</summary>
    public required IReadOnlyList<QualityReport> History { get; init; }

    /// <summary>Reads one column of another stream's table (null when that table does not exist yet).</summary>
    public required Func<string, string, CancellationToken, Task<IAsyncEnumerable<string>?>> ReadColumn { get; init; }

    /// <summary>The metrics this run measured, which later runs' anomaly strategies compare against.</summary>
    public Dictionary<string, double> Metrics { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The value distributions this run saw, which the next run's stability and drift rules compare against.</summary>
    public Dictionary<string, IReadOnlyDictionary<string, double>> Distributions { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A rule with a <c>where</c>: it sees only the rows the condition holds for, counts them as the run's rows, reads the
/// history of the same rule under the same condition, and records its metrics and distributions with the condition in
/// their keys, so they never mix with the unfiltered rule's.
/// </summary>
public sealed class FilteredRule(Rule inner, RowExpression where, string suffix, IReadOnlyList<QualityReport> scopedHistory) : Rule(inner.Header)
{
    private long _rows;

    public override bool ReadsRecord => inner.ReadsRecord;

    /// <summary>The reports with only the keys carrying <paramref name="suffix"/>, the suffix taken off: the filtered rule's own history.</summary>
    public static IReadOnlyList<QualityReport> Scope(IReadOnlyList<QualityReport> history, string suffix) =>
        [.. history.Select(report => report with
        {
            Metrics = report.Metrics.Where(m => m.Key.EndsWith(suffix, StringComparison.Ordinal)).ToDictionary(m => m.Key[..^suffix.Length], m => m.Value, StringComparer.Ordinal),
            Distributions = report.Distributions.Where(d => d.Key.EndsWith(suffix, StringComparison.Ordinal))
                .ToDictionary(d => d.Key[..^suffix.Length], d => d.Value, StringComparer.Ordinal),
        })];

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields)
    {
        if (where.Test(row) == true)
        {
            _rows++;
            inner.Observe(row, record, id, unknownFields);
        }
    }

    public override async ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var mine = new QualityContext
        {
            Rows = _rows, Rejected = context.Rejected, Now = context.Now, WindowFrom = context.WindowFrom, WindowTo = context.WindowTo, History = scopedHistory,
            ReadColumn = context.ReadColumn,
        };
        var result = await inner.FinishAsync(mine, cancellationToken);
        foreach (var (key, value) in mine.Metrics)
        {
            context.Metrics[key + suffix] = value;
        }
        foreach (var (key, value) in mine.Distributions)
        {
            context.Distributions[key + suffix] = value;
        }
        return result with { Threshold = result.Threshold + suffix, Message = $"{_rows:N0} rows{suffix}: {result.Message}" };
    }
}

/// <summary>One configured rule: sees every row once, then gives its result.</summary>
public abstract class Rule(RuleHeader header)
{
    public RuleHeader Header => header;

    /// <summary>True when the rule needs the record as the source sent it (schema rules, fields outside the table).</summary>
    public virtual bool ReadsRecord => false;

    /// <param name="row">The typed row.</param>
    /// <param name="record">The source object (only when <see cref="ReadsRecord"/>; otherwise default).</param>
    /// <param name="id">The row's id, for samples.</param>
    /// <param name="unknownFields">The record's fields the schema does not know, as the transform found them (null: none).</param>
    public abstract void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields);

    public abstract ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken);

    protected RuleResult Result(RuleOutcome outcome, string threshold, string message, double? observed = null, double? lower = null, double? upper = null,
        long failing = 0, long rows = 0, IReadOnlyList<string>? samples = null, bool estimated = false) => new()
    {
        Rule = header.Name, Type = header.Type, Column = header.Column, Severity = header.Severity, Blocking = header.Blocking, Notify = header.Notify,
        Outcome = outcome, Observed = Finite(observed), Lower = Finite(lower), Upper = Finite(upper), Threshold = threshold, Message = message,
        Failing = failing, FailingFraction = rows > 0 ? (double)failing / rows : 0, Samples = samples ?? [], Estimated = estimated,
    };

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    internal static string Percent(double fraction) => (fraction * 100).ToString(fraction * 100 is > 0 and < 0.1 ? "0.####" : "0.##", CultureInfo.InvariantCulture) + "%";

    internal static string Number(double? value) => value is { } v ? AnomalyStrategies.Format(v) : "none";
}

/// <summary>How a rule reads a value from a row: a table column, or a dotted path into the source object.</summary>
public sealed record ValueAccessor(string Name, int Index, string[]? Path)
{
    public object? Read(object?[] row, JsonElement record)
    {
        if (Path is null)
        {
            return row[Index];
        }
        if (Find(record, Path) is not { } node)
        {
            return null;
        }
        return node.ValueKind switch
        {
            JsonValueKind.String => node.GetString(),
            JsonValueKind.Number => node.TryGetInt64(out var l) ? l : node.GetDouble(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => node.GetRawText(),
        };
    }

    /// <summary>The node at a dotted path in a source object, or null when a step is missing.</summary>
    public static JsonElement? Find(JsonElement record, IEnumerable<string> path)
    {
        var node = record;
        foreach (var step in path)
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(step, out node))
            {
                return null;
            }
        }
        return node;
    }

    public static double? AsNumber(object? value) => value switch
    {
        long l => l,
        double d => d,
        _ => null,
    };

    public static string? AsText(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

/// <summary>One row's verdict: true holds, false fails, null does not judge the row.</summary>
public delegate bool? RowCheck(object?[] row, JsonElement record, IReadOnlyList<string>? unknownFields);

/// <summary>A rule judged row by row: at most <c>max_fraction</c> of the rows may fail. A check giving null does not judge the row.</summary>
public sealed class RowRule(RuleHeader header, string describe, RowCheck check, double maxFraction, bool readsRecord,
    Func<string?>? detail = null) : Rule(header)
{
    private readonly List<string> _samples = [];
    private long _failing;
    private string? _error;

    public override bool ReadsRecord => readsRecord;

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields)
    {
        if (_error is not null)
        {
            return;
        }
        bool? passed;
        try
        {
            passed = check(row, record, unknownFields);
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or ArithmeticException)
        {
            _error = $"could not be judged on {id}: {exception.Message}";
            return;
        }
        if (passed == false)
        {
            _failing++;
            if (_samples.Count < QualityReport.SampleLimit)
            {
                _samples.Add(id);
            }
        }
    }

    public override ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var threshold = $"at most {Percent(maxFraction)} of rows fail: {describe}";
        if (_error is not null)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Failed, threshold, $"The rule {_error}"));
        }
        if (context.Rows == 0)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, "No rows to judge."));
        }
        var fraction = (double)_failing / context.Rows;
        var passed = fraction <= maxFraction;
        return ValueTask.FromResult(Result(passed ? RuleOutcome.Passed : RuleOutcome.Failed, threshold,
            _failing == 0 ? $"Every row holds: {describe}."
                : $"{_failing} of {context.Rows} rows ({Percent(fraction)}) break it: {describe}{(detail?.Invoke() is { } more ? $" ({more})" : "")}.",
            observed: fraction, upper: maxFraction, failing: _failing, rows: context.Rows, samples: _samples));
    }
}

/// <summary>A measured value of the run (a mean, a row count) that must lie within <c>min</c> and <c>max</c>.</summary>
public sealed class MetricRule(RuleHeader header, Metric metric, double? min, double? max) : Rule(header)
{
    public override bool ReadsRecord => metric.ReadsRecord;

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields) => metric.Observe(row, record);

    public override ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var threshold = (min, max) switch
        {
            ({ } a, { } b) => $"{metric.Key} between {Number(a)} and {Number(b)}",
            ({ } a, null) => $"{metric.Key} at least {Number(a)}",
            _ => $"{metric.Key} at most {Number(max)}",
        };
        var value = metric.Value(context);
        if (value is not { } observed)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, $"{metric.Key} has no value in this run (no rows with a value)."));
        }
        context.Metrics[metric.Key] = observed;
        var passed = observed >= (min ?? double.NegativeInfinity) && observed <= (max ?? double.PositiveInfinity);
        return ValueTask.FromResult(Result(passed ? RuleOutcome.Passed : RuleOutcome.Failed, threshold,
            $"{metric.Key} is {Number(observed)}{(metric.Estimated ? " (estimated)" : "")}{(passed ? "" : $", outside {threshold[(metric.Key.Length + 1)..]}")}.",
            observed: observed, lower: min, upper: max, estimated: metric.Estimated));
    }
}

/// <summary>A metric judged against its own history by an anomaly strategy.</summary>
public sealed class AnomalyRule(RuleHeader header, Metric metric, string strategy, double parameter, int minHistory, int historyRuns,
    double? lower = null, double? upper = null, int period = 7) : Rule(header)
{
    /// <summary>The most earlier runs a baseline may hold (the job loads this many committed reports).</summary>
    public const int MaxHistory = 100;

    public override bool ReadsRecord => metric.ReadsRecord;

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields) => metric.Observe(row, record);

    public override ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var history = context.History.Take(historyRuns).Reverse()
            .Select(report => report.Metrics.TryGetValue(metric.Key, out var v) ? v : (double?)null)
            .OfType<double>().ToList();
        var threshold = strategy switch
        {
            "zscore" => $"{metric.Key} within {Number(parameter)} standard deviations of the mean of the last {historyRuns} runs",
            "rate_of_change" => $"{metric.Key} within {Percent(parameter)} of the previous run's",
            "rate_of_mean" => $"{metric.Key} within {Percent(parameter)} of the mean of the last {historyRuns} runs",
            "absolute_change" => $"{metric.Key} changes by {(lower is { } down ? $"at most -{Number(down)}" : "any decrease")} and {(upper is { } up ? $"at most +{Number(up)}" : "any increase")} against the previous run",
            "threshold" => $"{metric.Key} {(lower is { } min ? $">= {Number(min)}" : "")}{(lower is not null && upper is not null ? " and " : "")}{(upper is { } max ? $"<= {Number(max)}" : "")}",
            "online_normal" => $"{metric.Key} within {Number(parameter)} deviations of the running mean of the last {historyRuns} runs, anomalous runs left out",
            "holt_winters" => $"{metric.Key} within {Number(parameter)} one-step errors of the Holt-Winters forecast (season {period}) from the last {historyRuns} runs",
            _ => $"{metric.Key} within {Number(parameter)} robust deviations (1.4826 x MAD) of the median of the last {historyRuns} runs",
        };
        if (metric.Value(context) is not { } value)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, $"{metric.Key} has no value in this run."));
        }
        context.Metrics[metric.Key] = value;
        if (history.Count < minHistory)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold,
                $"{metric.Key} is {Number(value)}; {history.Count} earlier runs measured it, {minHistory} are needed before judging.", observed: value));
        }
        var verdict = strategy switch
        {
            "zscore" => AnomalyStrategies.ZScore(history, value, parameter),
            "rate_of_change" => AnomalyStrategies.RateOfChange(history[^1], "previous run", value, parameter),
            "rate_of_mean" => AnomalyStrategies.RateOfChange(history.Average(), $"mean of {history.Count} runs", value, parameter),
            "absolute_change" => AnomalyStrategies.AbsoluteChange(history[^1], value, lower, upper),
            "threshold" => AnomalyStrategies.Threshold(value, lower, upper),
            "online_normal" => AnomalyStrategies.OnlineNormal(history, value, parameter),
            "holt_winters" => AnomalyStrategies.HoltWinters(history, value, parameter, period),
            _ => AnomalyStrategies.MedianAbsoluteDeviation(history, value, parameter),
        };
        return ValueTask.FromResult(Result(verdict.Anomalous ? RuleOutcome.Failed : RuleOutcome.Passed, threshold,
            $"{metric.Key} is {Number(value)}, {(verdict.Anomalous ? "outside" : "inside")} the band {Number(verdict.Lower)} to {Number(verdict.Upper)} ({verdict.Explanation}).",
            observed: value, lower: verdict.Lower, upper: verdict.Upper));
    }
}

/// <summary>Values (or combinations) that occur more than once: every occurrence after the first fails.</summary>
public sealed class UniquenessRule(RuleHeader header, IReadOnlyList<ValueAccessor> keys, double maxFraction, int exactLimit) : Rule(header)
{
    private readonly KeySet _seen = new(exactLimit);
    private readonly List<string> _samples = [];
    private readonly string?[] _values = new string?[keys.Count];
    private long _keyed;
    private long _duplicates;

    public override bool ReadsRecord => keys.Any(k => k.Path is not null);

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            _values[i] = ValueAccessor.AsText(keys[i].Read(row, record));
        }
        // A key with a null part is not judged, as SQL's UNIQUE does not compare nulls.
        if (_values.Any(v => v is null))
        {
            return;
        }
        _keyed++;
        var hash = keys.Count == 1 ? KeySet.Hash(_values[0]!) : KeySet.Hash(_values);
        if (!_seen.Add(hash) && !_seen.Estimated)
        {
            _duplicates++;
            if (_samples.Count < QualityReport.SampleLimit)
            {
                _samples.Add(id);
            }
        }
    }

    public override ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", keys.Select(k => k.Name));
        // Estimated: the sketch's count is within about 2.4% (3 standard errors) of the truth, so only repeats beyond that count.
        var duplicates = _seen.Estimated ? Math.Max(0, _keyed - (long)Math.Ceiling(_seen.Count * (1 + KeySet.EstimateError))) : _duplicates;
        var fraction = context.Rows > 0 ? (double)duplicates / context.Rows : 0;
        var threshold = $"at most {Percent(maxFraction)} of rows repeat a value of ({names})";
        if (context.Rows == 0)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, "No rows to judge."));
        }
        context.Metrics[$"duplicate_fraction:{names.Replace(", ", ",", StringComparison.Ordinal)}"] = fraction;
        var estimate = _seen.Estimated ? $" (estimated: more than {_seen.ExactLimit} distinct keys)" : "";
        return ValueTask.FromResult(Result(fraction <= maxFraction ? RuleOutcome.Passed : RuleOutcome.Failed, threshold,
            duplicates == 0 ? $"Every value of ({names}) occurs once{estimate}." : $"{duplicates} rows repeat a value of ({names}) seen earlier in the run{estimate}.",
            observed: fraction, upper: maxFraction, failing: duplicates, rows: context.Rows, samples: _samples, estimated: _seen.Estimated));
    }
}

/// <summary>Every value of a column exists in a column of another stream's table (a foreign key).</summary>
public sealed class ForeignKeyRule(RuleHeader header, ValueAccessor column, string stream, string toColumn, double maxFraction) : Rule(header)
{
    /// <summary>At most this many distinct values are checked; past it the rule is skipped rather than using unbounded memory.</summary>
    public const int DistinctLimit = 1_000_000;
    private readonly Dictionary<string, (long Rows, string FirstId)> _values = new(StringComparer.Ordinal);
    private bool _overflow;

    public override bool ReadsRecord => column.Path is not null;

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields)
    {
        if (_overflow || ValueAccessor.AsText(column.Read(row, record)) is not { } value)
        {
            return;
        }
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_values, value, out var exists);
        entry = exists ? (entry.Rows + 1, entry.FirstId) : (1, id);
        _overflow = _values.Count > DistinctLimit;
    }

    public override async ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var threshold = $"at most {Percent(maxFraction)} of rows have a {column.Name} missing from {stream}.{toColumn}";
        if (_overflow)
        {
            _values.Clear();
            return Result(RuleOutcome.Skipped, threshold, $"More than {DistinctLimit} distinct values of {column.Name}: not checked.");
        }
        if (_values.Count == 0)
        {
            return Result(RuleOutcome.Skipped, threshold, $"No row has a {column.Name}.");
        }
        if (await context.ReadColumn(stream, toColumn, cancellationToken) is not { } existing)
        {
            return Result(RuleOutcome.Skipped, threshold, $"The {stream} table does not exist yet.");
        }
        var missing = new HashSet<string>(_values.Keys, StringComparer.Ordinal);
        await foreach (var value in existing.WithCancellation(cancellationToken))
        {
            missing.Remove(value);
            if (missing.Count == 0)
            {
                break;
            }
        }
        var failing = missing.Sum(value => _values[value].Rows);
        var fraction = (double)failing / Math.Max(1, context.Rows);
        var samples = missing.Order(StringComparer.Ordinal).Take(QualityReport.SampleLimit).Select(value => _values[value].FirstId).ToList();
        return Result(fraction <= maxFraction ? RuleOutcome.Passed : RuleOutcome.Failed, threshold,
            missing.Count == 0 ? $"Every {column.Name} ({_values.Count} distinct) is in {stream}.{toColumn}."
                : $"{missing.Count} of {_values.Count} distinct {column.Name} values are not in {stream}.{toColumn} ({failing} rows), e.g. {string.Join(", ", missing.Order(StringComparer.Ordinal).Take(3))}.",
            observed: fraction, upper: maxFraction, failing: failing, rows: context.Rows, samples: samples);
    }
}

/// <summary>The shares of a column's most common values stay close (total variation distance) to the previous run's.</summary>
public sealed class StabilityRule(RuleHeader header, ValueAccessor column, int top, double maxDistance) : Rule(header)
{
    private readonly ValueCounts _counts = new();

    public override bool ReadsRecord => column.Path is not null;

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields) => _counts.Add(ValueAccessor.AsText(column.Read(row, record)) ?? "(null)");

    public override ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        var key = $"top:{column.Name}";
        var shares = _counts.Shares(top);
        var threshold = $"the top {top} values of {column.Name} move by at most {Percent(maxDistance)} (total variation distance) from the previous run";
        if (_counts.Total == 0)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, "No rows to judge."));
        }
        context.Distributions[key] = shares;
        var previous = context.History.Select(report => report.Distributions.GetValueOrDefault(key)).FirstOrDefault(d => d is not null);
        if (previous is null)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, "No earlier run to compare with; this run's shares are kept for the next."));
        }
        var distance = ValueCounts.Distance(shares, previous);
        var moved = shares.Keys.Union(previous.Keys).OrderByDescending(k => Math.Abs(shares.GetValueOrDefault(k) - previous.GetValueOrDefault(k))).First();
        return ValueTask.FromResult(Result(distance <= maxDistance ? RuleOutcome.Passed : RuleOutcome.Failed, threshold,
            $"The distribution moved by {Percent(distance)}; most for '{moved}' ({Percent(previous.GetValueOrDefault(moved))} then, {Percent(shares.GetValueOrDefault(moved))} now).",
            observed: distance, upper: maxDistance));
    }
}

/// <summary>
/// Fields whose JSON type differs from what the previous run saw (a number turning into a string): every record
/// carrying such a value fails. The kinds seen are kept for the next run.
/// </summary>
public sealed class TypeDriftRule : Rule
{
    private static readonly string[] Kinds = ["string", "number", "boolean", "object", "array"];
    private readonly Dictionary<string, long[]> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>? _before;
    private readonly SortedSet<string> _drifted = new(StringComparer.Ordinal);
    private readonly List<string> _samples = [];
    private long _records;
    private long _failing;

    /// <param name="header">The rule.</param>
    /// <param name="previous">The previous run's <c>field:kind</c> shares (null: no earlier run).</param>
    public TypeDriftRule(RuleHeader header, IReadOnlyDictionary<string, double>? previous)
        : base(header)
    {
        if (previous is null)
        {
            return;
        }
        // Per field, the kinds the previous run saw, as bits: one lookup per property instead of building "field:kind" keys.
        _before = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in previous.Keys)
        {
            var colon = key.LastIndexOf(':');
            var kind = Array.IndexOf(Kinds, key[(colon + 1)..]);
            if (colon > 0 && kind >= 0)
            {
                _before[key[..colon]] = _before.GetValueOrDefault(key[..colon]) | (1 << kind);
            }
        }
    }

    public override bool ReadsRecord => true;

    public override void Observe(object?[] row, JsonElement record, string id, IReadOnlyList<string>? unknownFields)
    {
        _records++;
        var failed = false;
        foreach (var property in record.EnumerateObject())
        {
            var kind = KindIndex(property.Value.ValueKind);
            if (kind < 0)
            {
                continue;
            }
            var name = property.Name;
            ref var counts = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, name, out _);
            counts ??= new long[Kinds.Length];
            counts[kind]++;
            // A field the previous run never saw is new, not drifted (no_unknown_fields reports that).
            if (_before is not null && _before.TryGetValue(name, out var seenBefore) && (seenBefore & (1 << kind)) == 0)
            {
                failed = true;
                if (counts[kind] == 1)
                {
                    _drifted.Add($"{name}:{Kinds[kind]}");
                }
            }
        }
        if (failed)
        {
            _failing++;
            if (_samples.Count < QualityReport.SampleLimit)
            {
                _samples.Add(id);
            }
        }
    }

    public override ValueTask<RuleResult> FinishAsync(QualityContext context, CancellationToken cancellationToken)
    {
        const string threshold = "no field changes its JSON type from the previous run";
        context.Distributions["kinds"] = _counts.SelectMany(field => field.Value.Select((count, kind) => (Key: $"{field.Key}:{Kinds[kind]}", Count: count)))
            .Where(x => x.Count > 0).ToDictionary(x => x.Key, x => (double)x.Count / Math.Max(1, _records), StringComparer.Ordinal);
        if (_before is null)
        {
            return ValueTask.FromResult(Result(RuleOutcome.Skipped, threshold, "No earlier run to compare with; this run's field types are kept for the next."));
        }
        return ValueTask.FromResult(Result(_drifted.Count == 0 ? RuleOutcome.Passed : RuleOutcome.Failed, threshold,
            _drifted.Count == 0 ? "Every field has the types it had before."
                : $"{_drifted.Count} fields changed type: {string.Join(", ", _drifted.Select(k => k.Replace(":", " is now a ", StringComparison.Ordinal)))}.",
            observed: _drifted.Count, upper: 0, failing: _failing, rows: context.Rows, samples: _samples));
    }

    public static string Kind(JsonValueKind kind) => KindIndex(kind) is >= 0 and var index ? Kinds[index] : "null";

    private static int KindIndex(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => 0,
        JsonValueKind.Number => 1,
        JsonValueKind.True or JsonValueKind.False => 2,
        JsonValueKind.Object => 3,
        JsonValueKind.Array => 4,
        _ => -1,
    };
}
