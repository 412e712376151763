using System.Diagnostics.Metrics;
using System.Text;

namespace OpsConsole.Server.Metrics;

/// <summary>
/// Maps OpenTelemetry-style instrument names and units to Prometheus names, as the OpenTelemetry Prometheus
/// exporter does: dots become underscores, the unit becomes a suffix (<c>s</c> to <c>_seconds</c>, <c>By</c> to
/// <c>_bytes</c>, annotations such as <c>{request}</c> are dropped), counters end in <c>_total</c>, other
/// metrics never end in a histogram's series suffixes.
/// </summary>
public static class PrometheusNames
{
    private static readonly string[] ReservedSuffixes = ["_count", "_sum", "_bucket"];

    public static string MetricName(string instrumentName, string? unit, bool isCounter, bool isHistogram)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }
        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }
        // _count, _sum and _bucket belong to histogram series; a gauge such as dotnet.assembly.count keeps its
        // name readable with a _value suffix instead of clashing with them.
        if (!isCounter && !isHistogram && ReservedSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal)))
        {
            name += "_value";
        }
        return name;
    }

    public static string LabelName(string key)
    {
        var name = Sanitize(key, allowColon: false);
        return name.StartsWith("__", StringComparison.Ordinal) ? "_" + name.TrimStart('_') : name;
    }

    public static bool IsCounter(Instrument instrument)
    {
        var type = instrument.GetType();
        return type.IsGenericType &&
            (type.GetGenericTypeDefinition() == typeof(Counter<>) || type.GetGenericTypeDefinition() == typeof(ObservableCounter<>));
    }

    public static bool IsHistogram(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Escapes HELP text: backslash and line feed.</summary>
    public static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => "",
        "s" => "seconds",
        "ms" => "milliseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "%" => "percent",
        _ when unit.StartsWith('{') => "",
        _ => Sanitize(unit, allowColon: false).Trim('_').ToLowerInvariant(),
    };

    private static string Sanitize(string value, bool allowColon)
    {
        var builder = new StringBuilder(value.Length + 1);
        foreach (var c in value)
        {
            var ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' || (allowColon && c == ':');
            var next = ok ? c : '_';
            if (next == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }
            builder.Append(next);
        }
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }
        return builder.ToString();
    }
}
