using System.Globalization;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>A configuration value as written: a scalar or a list of scalars, with the line it is on.</summary>
public sealed record ConfigValue(string? Scalar, IReadOnlyList<string>? List, int Line);

/// <summary>A rule configuration that cannot be used; the message names the rule and the key.</summary>
public sealed class QualityConfigException(string message) : Exception(message);

/// <summary>
/// One rule's configured keys, read as the types its parameters declare. Each read checks the value and throws a
/// <see cref="QualityConfigException"/> naming the rule, the key and the line.
/// </summary>
public sealed class RuleArguments
{
    private readonly IReadOnlyDictionary<string, ConfigValue> _values;
    private readonly Dictionary<string, int> _columns;

    internal RuleArguments(string label, RuleHeader header, IReadOnlyDictionary<string, ConfigValue> values, StreamSchema schema,
        IReadOnlyList<QualityReport> history)
    {
        Label = label;
        Header = header;
        _values = values;
        Schema = schema;
        History = history;
        _columns = schema.Typed.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        foreach (var (column, index) in schema.Timestamps.Select((t, i) => (t.Column, schema.Typed.Count + i)))
        {
            _columns[column.Name] = index;
        }
        _columns[StreamSchema.RunId] = schema.ExtraIndex + 1;
        IdColumn = _columns["id"];
        CreatedColumn = _columns["created"];
    }

    /// <summary>How errors name the rule: its name, its place in the file and its line.</summary>
    public string Label { get; }

    public RuleHeader Header { get; }

    public StreamSchema Schema { get; }

    public IReadOnlyList<QualityReport> History { get; }

    public int IdColumn { get; }

    public int CreatedColumn { get; }

    /// <summary>The table's columns by name, for expressions.</summary>
    public IReadOnlyDictionary<string, int> Columns => _columns;

    /// <summary>Set when a value is read from the source object rather than the typed row.</summary>
    public bool ReadsRecord { get; private set; }

    public void NeedRecord() => ReadsRecord = true;

    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>
    /// A column of the table, or a dotted path into the source object whose first step is a field the source sends
    /// (e.g. <c>billing_details.address.country</c>).
    /// </summary>
    public ValueAccessor Column(string key = "column") => Accessor(key, RequiredScalar(key));

    public IReadOnlyList<ValueAccessor> ColumnList(string key = "columns")
    {
        var names = List(key);
        if (names.Count == 0)
        {
            throw Error(key, "needs at least one column");
        }
        return [.. names.Select(name => Accessor(key, name))];
    }

    public bool IsNumeric(ValueAccessor column) =>
        column.Path is not null || Schema.Columns[column.Index].Type is ParquetColumnType.Int64 or ParquetColumnType.Double or ParquetColumnType.TimestampMicros;

    public ValueAccessor NumericColumn(string key = "column")
    {
        var column = Column(key);
        return IsNumeric(column) ? column
            : throw Error(key, $"'{column.Name}' is a {Schema.Columns[column.Index].Type} column; {Header.Type} needs a number column");
    }

    public double? Number(string key)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return null;
        }
        return value.Scalar is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number : throw Error(key, $"'{Show(value)}' is not a number");
    }

    public double Number(string key, double fallback) => Number(key) ?? fallback;

    public double RequiredNumber(string key) => Number(key) ?? throw Error(key, "is required");

    public double Fraction(string key, double fallback)
    {
        var value = Number(key, fallback);
        return value is >= 0 and <= 1 ? value : throw Error(key, $"{value.ToString(CultureInfo.InvariantCulture)} is not a fraction between 0 and 1");
    }

    public int Integer(string key, int fallback, int min, int max)
    {
        var value = Number(key, fallback);
        return value == Math.Floor(value) && value >= min && value <= max ? (int)value
            : throw Error(key, $"{value.ToString(CultureInfo.InvariantCulture)} is not a whole number between {min} and {max}");
    }

    public bool Boolean(string key, bool fallback)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return fallback;
        }
        return ParseBoolean(value.Scalar) ?? throw Error(key, $"'{Show(value)}' is not true or false");
    }

    /// <summary>YAML's words for true and false that a rules file may use; null for anything else.</summary>
    public static bool? ParseBoolean(string? text) => text switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        _ => null,
    };

    /// <summary>The pair <c>min</c>/<c>max</c>; at least one of them is required and min may not exceed max.</summary>
    public (double? Min, double? Max) Bounds()
    {
        var min = Number("min");
        var max = Number("max");
        if (min is null && max is null)
        {
            throw Error("min", "min or max is required");
        }
        return min > max ? throw Error("min", $"min ({min}) is greater than max ({max})") : (min, max);
    }

    public string? Text(string key) => _values.TryGetValue(key, out var value)
        ? value.Scalar ?? throw Error(key, "is a list; it takes one value")
        : null;

    public string RequiredScalar(string key) => Text(key) is { Length: > 0 } text ? text : throw Error(key, "is required");

    public IReadOnlyList<string> List(string key)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            throw Error(key, "is required");
        }
        return value.List ?? (value.Scalar is { } one ? [one] : []);
    }

    public RowExpression Expression(string key)
    {
        var text = RequiredScalar(key);
        try
        {
            return RowExpression.Parse(text, _columns);
        }
        catch (FormatException exception)
        {
            throw Error(key, $"'{text}': {exception.Message}");
        }
    }

    /// <summary>The metric a key names (an anomaly rule's <c>metric</c>).</summary>
    public Metric Metric(string key = "metric") => MetricOf(key, RequiredScalar(key));

    /// <summary>The metric <paramref name="text"/> names; a mistake in it is reported under <paramref name="key"/>.</summary>
    public Metric MetricOf(string key, string text)
    {
        try
        {
            return Quality.Metric.Parse(text, name => Accessor(key, name), name => IsNumeric(Accessor(key, name)), CreatedColumn);
        }
        catch (FormatException exception)
        {
            throw Error(key, exception.Message);
        }
    }

    public QualityConfigException Error(string key, string message) =>
        new($"{Label}, key '{key}'{(_values.TryGetValue(key, out var value) ? $" (line {value.Line})" : "")}: {message}");

    private ValueAccessor Accessor(string key, string name)
    {
        if (_columns.TryGetValue(name, out var index))
        {
            return new ValueAccessor(name, index, null);
        }
        var path = name.Split('.');
        if (path.All(step => step.Length > 0) && (Schema.KnownUntyped.Contains(path[0]) || (path.Length > 1 && _columns.ContainsKey(path[0]))))
        {
            ReadsRecord = true;
            return new ValueAccessor(name, -1, path);
        }
        throw Error(key, $"'{name}' is not a column of {Schema.Stream} (columns: {string.Join(", ", Schema.Typed.Select(c => c.Name))}; " +
                         "or a dotted path into a field the source sends, such as billing_details.address.country)");
    }

    private static string Show(ConfigValue value) => value.Scalar ?? $"[{string.Join(", ", value.List ?? [])}]";
}
