using System.Globalization;
using System.Text;

namespace OpsConsole.Server.Metrics;

/// <summary>One Prometheus metric family and its series, updated from measurements under a lock.</summary>
internal sealed class MetricFamily(string name, string help, MetricKind kind, double[] bounds, int maxSeries, Action<string> onFirstDrop)
{
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _dropped;

    public string Name { get; } = name;

    public MetricKind Kind { get; } = kind;

    /// <summary>Observes a value (histograms), sets it (<paramref name="absolute"/>: observables, gauges) or adds it (counters).</summary>
    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, bool absolute)
    {
        var labels = RenderLabels(tags, Kind == MetricKind.Histogram);
        lock (_lock)
        {
            if (!_series.TryGetValue(labels, out var series))
            {
                if (_series.Count >= maxSeries)
                {
                    if (!_dropped)
                    {
                        _dropped = true;
                        onFirstDrop(Name);
                    }
                    return;
                }
                series = new Series(labels, Kind == MetricKind.Histogram ? new long[bounds.Length] : null);
                _series.Add(labels, series);
            }

            switch (Kind)
            {
                case MetricKind.Histogram:
                    var index = Array.BinarySearch(bounds, value);
                    index = index >= 0 ? index : ~index;
                    if (index < bounds.Length)
                    {
                        series.Buckets![index]++;
                    }
                    series.Sum += value;
                    series.Count++;
                    break;
                default:
                    series.Value = absolute ? value : series.Value + value;
                    break;
            }
        }
    }

    /// <summary>Appends HELP, TYPE and every series; nothing when there is no series yet.</summary>
    public void WriteTo(StringBuilder output)
    {
        lock (_lock)
        {
            if (_series.Count == 0)
            {
                return;
            }

            output.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusNames.EscapeHelp(help)).Append('\n');
            output.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');

            foreach (var series in _series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal))
            {
                if (Kind != MetricKind.Histogram)
                {
                    Line(output, Name, series.Labels, null, series.Value);
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    cumulative += series.Buckets![i];
                    Line(output, Name + "_bucket", series.Labels, Format(bounds[i]), cumulative);
                }
                Line(output, Name + "_bucket", series.Labels, "+Inf", series.Count);
                Line(output, Name + "_sum", series.Labels, null, series.Sum);
                Line(output, Name + "_count", series.Labels, null, series.Count);
            }
        }
    }

    private static void Line(StringBuilder output, string name, string labels, string? le, double value)
    {
        output.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            output.Append('{').Append(labels);
            if (le is not null)
            {
                output.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
            }
            output.Append('}');
        }
        output.Append(' ').Append(Format(value)).Append('\n');
    }

    internal static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags, bool histogram)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Key, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            var text = tag.Value switch
            {
                null => "",
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            };
            var key = PrometheusNames.LabelName(tag.Key);
            // A histogram's own label is le; a tag of that name is kept under another.
            pairs.Add((histogram && key == "le" ? "le_tag" : key, text));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));

        var builder = new StringBuilder();
        string? previous = null;
        foreach (var (key, value) in pairs)
        {
            if (key == previous)
            {
                continue;
            }
            previous = key;
            builder.Append(builder.Length > 0 ? "," : "").Append(key).Append("=\"").Append(PrometheusNames.EscapeLabelValue(value)).Append('"');
        }
        return builder.ToString();
    }

    private sealed class Series(string labels, long[]? buckets)
    {
        public string Labels { get; } = labels;

        public long[]? Buckets { get; } = buckets;

        public double Value { get; set; }

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
