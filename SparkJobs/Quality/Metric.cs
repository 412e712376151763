using System.Globalization;
using System.Text.Json;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>
/// A number measured over a run's rows in one pass, named by a key such as <c>row_count</c> or <c>mean:amount</c>.
/// Keys: <c>row_count</c>, <c>records_per_hour</c> (rows per hour of the run's window), <c>rejected</c> (records that
/// could not become rows), <c>freshness_seconds</c> (the run's window end minus the newest <c>created</c>: a backfill of
/// an old window is judged on that window), and per column
/// <c>null_fraction</c>, <c>min</c>, <c>max</c>, <c>mean</c>, <c>stddev</c>, <c>sum</c>, <c>pNN</c> (a percentile, e.g. <c>p95</c>),
/// <c>distinct_count</c>, <c>distinct_fraction</c>; and <c>share:column=value</c> (the fraction of rows holding that value).
/// </summary>
public sealed class Metric
{
    public static readonly IReadOnlyList<string> RunMetrics = ["row_count", "records_per_hour", "rejected", "freshness_seconds"];
    public static readonly IReadOnlyList<string> ColumnMetrics = ["null_fraction", "min", "max", "mean", "stddev", "sum", "pNN", "distinct_count", "distinct_fraction"];

    private readonly string _kind;
    private readonly ValueAccessor? _column;
    private readonly double _quantile;
    private readonly Moments _moments = new();
    private Reservoir? _reservoir;
    private KeySet? _distinct;
    private string? _share;
    private long _matches;
    private long _rows;
    private long _nulls;
    private long _newest = long.MinValue;
    private readonly int _created;

    private Metric(string key, string kind, ValueAccessor? column, double quantile, int created)
    {
        Key = key;
        _kind = kind;
        _column = column;
        _quantile = quantile;
        _created = created;
    }

    public string Key { get; }

    public bool ReadsRecord => _column?.Path is not null;

    public bool Estimated => _distinct?.Estimated == true;

    /// <summary>Parses a metric key; <see cref="FormatException"/> says what is wrong with it.</summary>
    public static Metric Parse(string key, Func<string, ValueAccessor> column, Func<string, bool> numeric, int createdColumn)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return RunMetrics.Contains(key) ? new Metric(key, key, null, 0, createdColumn)
                : throw new FormatException($"'{key}' is not a metric: use {string.Join(", ", RunMetrics)}, or one of {string.Join(", ", ColumnMetrics)} followed by ':column'");
        }
        var kind = key[..colon];
        var name = key[(colon + 1)..];
        double quantile = 0;
        string? shareOf = null;
        if (kind == "share")
        {
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"'{key}' needs a value: share:column=value");
            }
            shareOf = name[(equals + 1)..];
            name = name[..equals];
        }
        if (kind.Length > 1 && kind[0] == 'p' && int.TryParse(kind[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var percentile))
        {
            if (percentile is < 0 or > 100)
            {
                throw new FormatException($"'{kind}' is not a percentile: use p0 to p100");
            }
            quantile = percentile / 100.0;
            kind = "quantile";
        }
        else if (shareOf is null && !ColumnMetrics.Contains(kind))
        {
            throw new FormatException($"'{kind}' is not a column metric: use one of {string.Join(", ", ColumnMetrics)}");
        }
        var accessor = column(name);
        if (kind is "min" or "max" or "mean" or "stddev" or "sum" or "quantile" && !numeric(name))
        {
            throw new FormatException($"{kind} needs a number column and {name} is not one");
        }
        return new Metric(key, kind, accessor, quantile, createdColumn) { _share = shareOf };
    }

    public void Observe(object?[] row, JsonElement record)
    {
        _rows++;
        switch (_kind)
        {
            case "freshness_seconds":
                _newest = Math.Max(_newest, (long)row[_created]!);
                return;
            case "row_count" or "records_per_hour" or "rejected":
                return;
        }
        var value = _column!.Read(row, record);
        if (value is null)
        {
            _nulls++;
            return;
        }
        switch (_kind)
        {
            case "distinct_count" or "distinct_fraction":
                (_distinct ??= new KeySet()).Add(KeySet.Hash(ValueAccessor.AsText(value)!));
                return;
            case "quantile":
                if (ValueAccessor.AsNumber(value) is { } sampled)
                {
                    (_reservoir ??= new Reservoir()).Add(sampled);
                }
                return;
            case "null_fraction":
                return;
            case "share":
                _matches += ValueAccessor.AsText(value) == _share ? 1 : 0;
                return;
        }
        if (ValueAccessor.AsNumber(value) is { } number)
        {
            _moments.Add(number);
        }
    }

    public double? Value(QualityContext context) => _kind switch
    {
        "row_count" => context.Rows,
        "records_per_hour" => context.WindowTo > context.WindowFrom ? context.Rows * 3600.0 / (context.WindowTo - context.WindowFrom) : null,
        "rejected" => context.Rejected,
        "freshness_seconds" => _newest == long.MinValue ? null : context.WindowTo - _newest,
        "null_fraction" => _rows > 0 ? (double)_nulls / _rows : null,
        "share" => _rows > 0 ? (double)_matches / _rows : null,
        "distinct_count" => _distinct?.Count ?? 0,
        "distinct_fraction" => _rows - _nulls > 0 ? (double)(_distinct?.Count ?? 0) / (_rows - _nulls) : null,
        "quantile" => _reservoir?.Quantile(_quantile),
        "min" => _moments.Count > 0 ? _moments.Min : null,
        "max" => _moments.Count > 0 ? _moments.Max : null,
        "mean" => _moments.Mean,
        "stddev" => _moments.StandardDeviation,
        _ => _moments.Count > 0 ? _moments.Sum : null,
    };
}
