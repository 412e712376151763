using System.Reflection;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Transform;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>
/// A stream's data-quality rules, read from YAML:
/// <code>
/// stream: charges            # optional; when present it must be the stream the rules are used for
/// rules:
///   - type: not_null
///     column: currency
///     severity: error        # info, warn (default), error
///     blocking: false        # true: a failure stops the commit and the job exits 3
/// </code>
/// Every problem is a <see cref="QualityConfigException"/> naming the rule (its name or its place) and the key.
/// </summary>
public sealed partial class QualityConfig
{
    private readonly List<(string Label, RuleHeader Header, RuleType Type, IReadOnlyDictionary<string, ConfigValue> Values)> _rules;

    private QualityConfig(string origin, StreamSchema schema, List<(string, RuleHeader, RuleType, IReadOnlyDictionary<string, ConfigValue>)> rules)
    {
        Origin = origin;
        Schema = schema;
        _rules = rules;
    }

    /// <summary>Where the rules came from (a file, or the built-in defaults).</summary>
    public string Origin { get; }

    public StreamSchema Schema { get; }

    public IReadOnlyList<RuleHeader> Rules => [.. _rules.Select(r => r.Header)];

    /// <summary>Fresh rules for one pass over a run's rows; <paramref name="history"/> is the stream's earlier committed reports, newest first.</summary>
    public IReadOnlyList<Rule> Build(IReadOnlyList<QualityReport> history) => [.. _rules.Select(r => BuildOne(r.Label, r.Header, r.Type, r.Values, history))];

    /// <summary>
    /// One rule; with <c>where</c>, the rule sees only the rows the condition holds for, and its history and the metrics
    /// it records are those of the same rule with the same condition (keys suffixed " where CONDITION").
    /// </summary>
    private Rule BuildOne(string label, RuleHeader header, RuleType type, IReadOnlyDictionary<string, ConfigValue> values, IReadOnlyList<QualityReport> history)
    {
        if (!values.TryGetValue("where", out var whereValue))
        {
            return type.Create(new RuleArguments(label, header, values, Schema, history));
        }
        var plain = new RuleArguments(label, header, values, Schema, history);
        if (type.Name == "rejected_records" || values.GetValueOrDefault("metric")?.Scalar == "rejected")
        {
            throw plain.Error("where", "rejected records never became rows, so no row condition can choose among them");
        }
        var where = plain.Expression("where");
        var suffix = $" where {where.Text}";
        var scoped = FilteredRule.Scope(history, suffix);
        return new FilteredRule(type.Create(new RuleArguments(label, header, values, Schema, scoped)), where, suffix, scoped);
    }

    /// <summary>The rules shipped for a stream (<c>Quality/Defaults/{stream}.yaml</c>).</summary>
    public static QualityConfig Defaults(StreamSchema schema) => Parse(DefaultsText(schema.Stream), DefaultsOrigin(schema.Stream), schema);

    /// <summary>The built-in rules file of a stream, as YAML.</summary>
    public static string DefaultsText(string stream)
    {
        var name = $"OpsConsole.SparkJobs.Quality.Defaults.{stream}.yaml";
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"No default rules are built in for {stream}.");
        using var reader = new StreamReader(resource);
        return reader.ReadToEnd();
    }

    public static string DefaultsOrigin(string stream) => $"the built-in {stream} rules";

    /// <summary>
    /// The rules for a stream from <paramref name="path"/>: a YAML file, or a folder holding <c>{stream}.yaml</c>
    /// (a folder without one gives the built-in defaults).
    /// </summary>
    public static QualityConfig Load(string path, StreamSchema schema)
    {
        if (Directory.Exists(path))
        {
            var file = Path.Combine(path, $"{schema.Stream}.yaml");
            return File.Exists(file) ? Parse(File.ReadAllText(file), file, schema) : Defaults(schema);
        }
        if (!File.Exists(path))
        {
            throw new QualityConfigException($"--rules '{path}' is neither a YAML file nor a folder.");
        }
        return Parse(File.ReadAllText(path), path, schema);
    }

    public static QualityConfig Parse(string yaml, string origin, StreamSchema schema)
    {
        var list = RulesList(yaml, origin, schema);
        var rules = new List<(string, RuleHeader, RuleType, IReadOnlyDictionary<string, ConfigValue>)>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            rules.Add(ReadRule(list.Children[i], $"{origin}: rules[{i}] (line {list.Children[i].Start.Line})", origin, i, names));
        }
        var config = new QualityConfig(origin, schema, rules);
        // Every rule is built once here, so a wrong column, number or expression is reported before the run starts.
        config.Build([]);
        return config;
    }

    /// <summary>The document's <c>rules</c> list, after checking the YAML, its top-level keys and its <c>stream</c>.</summary>
    private static YamlSequenceNode RulesList(string yaml, string origin, StreamSchema schema)
    {
        var document = new YamlStream();
        try
        {
            document.Load(new StringReader(yaml));
        }
        catch (YamlException exception)
        {
            throw new QualityConfigException($"{origin}: not valid YAML at line {exception.Start.Line}: {exception.Message}");
        }
        if (document.Documents.Count == 0 || document.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new QualityConfigException($"{origin}: expected a mapping with a 'rules' list.");
        }
        foreach (var key in root.Children.Keys.Select(Scalar))
        {
            if (key is not ("stream" or "rules"))
            {
                throw new QualityConfigException($"{origin}: unknown top-level key '{key}' (line {root.Children.Keys.First(k => Scalar(k) == key).Start.Line}); use stream and rules.");
            }
        }
        if (Child(root, "stream") is { } streamNode && Scalar(streamNode) != schema.Stream)
        {
            throw new QualityConfigException($"{origin}: key 'stream' (line {streamNode.Start.Line}) says '{Scalar(streamNode)}', but the rules are for {schema.Stream}.");
        }
        return Child(root, "rules") as YamlSequenceNode ?? throw new QualityConfigException($"{origin}: key 'rules' is missing or is not a list.");
    }

    /// <summary>One rule: its type, the keys that type takes, its name (unique), severity, blocking and required keys.</summary>
    private static (string, RuleHeader, RuleType, IReadOnlyDictionary<string, ConfigValue>) ReadRule(YamlNode ruleNode, string place, string origin, int index,
        Dictionary<string, string> names)
    {
        var values = Values(ruleNode, place);
        var type = TypeOf(values, place);
        var column = values.TryGetValue("column", out var columnValue) ? columnValue.Scalar
            : values.TryGetValue("columns", out var columnsValue) ? string.Join("+", columnsValue.List ?? [columnsValue.Scalar ?? ""])
            : values.TryGetValue("metric", out var metricValue) ? metricValue.Scalar : null;
        var name = values.TryGetValue("name", out var nameValue) ? nameValue.Scalar ?? "" : column is null ? type.Name : $"{type.Name}_{column}";
        if (name.Length == 0)
        {
            throw new QualityConfigException($"{place}, key 'name': is empty.");
        }
        var label = $"{origin}: rule '{name}' (rules[{index}], line {ruleNode.Start.Line})";
        if (!names.TryAdd(name, label))
        {
            throw new QualityConfigException($"{label}: the name '{name}' is used by {names[name]} too; give one of them a name.");
        }
        var severityText = values.TryGetValue("severity", out var severityValue) ? severityValue.Scalar : "warn";
        var severity = severityText switch
        {
            "info" => Severity.Info,
            "warn" => Severity.Warn,
            "error" => Severity.Error,
            _ => throw new QualityConfigException($"{label}, key 'severity' (line {severityValue!.Line}): '{severityText}' is not info, warn or error."),
        };
        var blocking = RuleArguments.ParseBoolean(values.GetValueOrDefault("blocking")?.Scalar ?? "false")
            ?? throw new QualityConfigException($"{label}, key 'blocking' (line {values["blocking"].Line}): '{values["blocking"].Scalar}' is not true or false.");
        var notify = values.GetValueOrDefault("notify");
        if (notify is not null && (notify.Scalar is not { } route || !RoutePattern().IsMatch(route)))
        {
            throw new QualityConfigException($"{label}, key 'notify' (line {notify.Line}): '{notify.Scalar}' is not a route name: lower-case letters, digits, - and _, " +
                                             "as the console's Notifications:Routes names it.");
        }
        var header = new RuleHeader(name, type.Name, values.ContainsKey("column") ? column : null, severity, blocking) { Notify = notify?.Scalar };
        var parameters = values.Where(v => v.Key is not ("type" or "name" or "severity" or "blocking" or "description" or "notify"))
            .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var required = type.Parameters.FirstOrDefault(p => p.Required && !parameters.ContainsKey(p.Name));
        if (required is not null)
        {
            throw new QualityConfigException($"{label}, key '{required.Name}': is required ({required.Description}).");
        }
        return (label, header, type, parameters);
    }

    /// <summary>A rule's keys with their values (a scalar or a list of scalars) and lines.</summary>
    private static Dictionary<string, ConfigValue> Values(YamlNode ruleNode, string place)
    {
        if (ruleNode is not YamlMappingNode node)
        {
            throw new QualityConfigException($"{place}: a rule is a mapping with at least a 'type'.");
        }
        var values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = Scalar(keyNode);
            values[key] = valueNode switch
            {
                YamlScalarNode scalar => new ConfigValue(scalar.Value ?? "", null, (int)keyNode.Start.Line),
                YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode) =>
                    new ConfigValue(null, [.. sequence.Children.Select(Scalar)], (int)keyNode.Start.Line),
                _ => throw new QualityConfigException($"{place}, key '{key}' (line {keyNode.Start.Line}): expected a value or a list of values."),
            };
        }
        return values;
    }

    /// <summary>The rule's type, and every key checked against what that type takes.</summary>
    private static RuleType TypeOf(Dictionary<string, ConfigValue> values, string place)
    {
        var typeName = values.TryGetValue("type", out var typeValue) ? typeValue.Scalar : null;
        if (string.IsNullOrEmpty(typeName))
        {
            throw new QualityConfigException($"{place}, key 'type': is required (see `OpsConsole.SparkJobs rules` for the types).");
        }
        var type = RuleCatalog.Find(typeName)
            ?? throw new QualityConfigException($"{place}, key 'type' (line {typeValue!.Line}): '{typeName}' is not a rule type (see `OpsConsole.SparkJobs rules`{Suggest(typeName)}).");
        var allowed = RuleCatalog.CommonParameters.Concat(type.Parameters).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (!allowed.Contains(key))
            {
                throw new QualityConfigException($"{place}, key '{key}' (line {value.Line}): {type.Name} does not take '{key}'; it takes {string.Join(", ", type.Parameters.Select(p => p.Name).DefaultIfEmpty("no keys of its own"))}.");
            }
        }
        return type;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.FirstOrDefault(pair => Scalar(pair.Key) == key).Value;

    private static string Scalar(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : node.ToString();

    private static string Suggest(string typeName)
    {
        var close = RuleCatalog.Types.Select(t => t.Name).Where(n => n.Contains(typeName, StringComparison.Ordinal) || typeName.Contains(n, StringComparison.Ordinal)).Take(3).ToList();
        return close.Count > 0 ? $"; did you mean {string.Join(" or ", close)}?" : "";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial System.Text.RegularExpressions.Regex RoutePattern();
}
