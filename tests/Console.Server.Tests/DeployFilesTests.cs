using System.Text.Json;
using System.Text.RegularExpressions;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// <c>deploy/</c>: the Prometheus config and alert rules pass promtool, and every PromQL expression in them and in
/// the Grafana dashboards names only metrics the console exports.
/// </summary>
public sealed partial class DeployFilesTests
{
    private static readonly string Deploy = Path.Combine(RepoPaths.Root, "deploy");

    // PromQL words that are not metric names.
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "inf", "nan",
    };

    [Fact]
    public async Task PrometheusConfigAndRules_PassPromtool()
    {
        var (rulesExit, rules) = await Promtool.RunAsync("", "check", "rules", Path.Combine(Deploy, "prometheus", "alerts.yml"));
        Assert.True(rulesExit == 0, rules);
        Assert.Contains("11 rules found", rules, StringComparison.Ordinal);
        var (configExit, config) = await Promtool.RunAsync("", "check", "config", Path.Combine(Deploy, "prometheus", "prometheus.yml"));
        Assert.True(configExit == 0, config);
    }

    [Fact]
    public async Task EveryExpression_InRulesAndDashboards_NamesOnlyMetricsTheConsoleExports()
    {
        using var console = FakeJobConsole();
        using var client = console.BasicClient("operator");
        Assert.Equal(RunState.Succeeded, (await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id)).State);
        await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        var exposition = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var exported = new HashSet<string>(StringComparer.Ordinal) { "up" }; // Prometheus's own, per target
        foreach (Match type in TypeLine().Matches(exposition))
        {
            var name = type.Groups[1].Value;
            exported.Add(name);
            if (type.Groups[2].Value == "histogram")
            {
                exported.UnionWith([$"{name}_bucket", $"{name}_sum", $"{name}_count"]);
            }
        }

        var expressions = RuleExpressions().Concat(DashboardExpressions()).ToList();

        Assert.True(expressions.Count >= 20, $"{expressions.Count} expressions found");
        foreach (var (file, expression) in expressions)
        {
            var unknown = MetricNames(expression).Where(name => !exported.Contains(name)).ToList();
            Assert.True(unknown.Count == 0, $"{file}: {string.Join(", ", unknown)} in `{expression}` is not exported by the console");
        }
        Assert.All(Directory.GetFiles(Path.Combine(Deploy, "grafana"), "*.json"), file =>
        {
            using var dashboard = JsonDocument.Parse(File.ReadAllText(file));
            Assert.False(string.IsNullOrEmpty(dashboard.RootElement.GetProperty("uid").GetString()), $"{file} has no uid");
        });
    }

    [Theory]
    [InlineData("sum by (le, stream) (rate(a_bucket{stream=~\"$stream\",outcome=\"x\"}[5m])) / on (stream) b_total", "a_bucket b_total")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[$__rate_interval]))) > 3600", "x_seconds_bucket")]
    [InlineData("up{job=\"opsconsole\"} == 0 and min_over_time(g[6h]) >= 1", "up g")]
    public void MetricNames_SkipsFunctionsLabelsKeywordsAndNumbers(string expression, string names) =>
        Assert.Equal(names.Split(' '), MetricNames(expression));

    /// <summary>Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or numbers.</summary>
    private static List<string> MetricNames(string expression)
    {
        var text = Quoted().Replace(expression, "\"\"");
        text = Matchers().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        text = Range().Replace(text, " ");
        return [.. Identifier().Matches(text)
            .Where(m => !text[(m.Index + m.Length)..].TrimStart().StartsWith('(') && !Keywords.Contains(m.Value))
            .Select(m => m.Value)
            .Distinct()];
    }

    private static IEnumerable<(string File, string Expression)> RuleExpressions()
    {
        var file = Path.Combine(Deploy, "prometheus", "alerts.yml");
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }
            var value = line["expr:".Length..].Trim();
            if (value == "|")
            {
                // A block scalar: the lines indented deeper than the key.
                var indent = lines[i].IndexOf('e', StringComparison.Ordinal);
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Length - lines[i + 1].TrimStart().Length) > indent)
                {
                    block.Add(lines[++i].Trim());
                }
                value = string.Join(' ', block);
            }
            yield return (file, value);
        }
    }

    private static IEnumerable<(string File, string Expression)> DashboardExpressions()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Deploy, "grafana"), "*.json").Order(StringComparer.Ordinal))
        {
            using var dashboard = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    yield return (file, target.GetProperty("expr").GetString()!);
                }
            }
            foreach (var variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() == "query" && LabelValues().Match(variable.GetProperty("query").GetString()!) is { Success: true } query)
                {
                    yield return (file, query.Groups[1].Value);
                }
            }
        }
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"label_values\((\w+),")]
    private static partial Regex LabelValues();
}
