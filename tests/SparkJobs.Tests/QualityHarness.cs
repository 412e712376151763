using System.Text.Json;
using System.Text.Json.Nodes;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>Runs YAML rules over charge records the way a run does: each record through the transformer, then the rules.</summary>
public static class QualityHarness
{
    public const long Created = 1_700_000_000;

    /// <summary><paramref name="count"/> clean charges, changed by <paramref name="edit"/> (record, index).</summary>
    public static List<string> Charges(int count, Action<JsonObject, int>? edit = null)
    {
        var records = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var charge = new JsonObject
            {
                ["id"] = $"ch_{i}", ["object"] = "charge", ["created"] = Created + (i * 60), ["amount"] = 1000, ["amount_captured"] = 1000,
                ["amount_refunded"] = 0, ["currency"] = new[] { "usd", "eur", "gbp", "cad" }[i % 4], ["customer"] = $"cus_{i}", ["status"] = "succeeded",
                ["paid"] = true, ["captured"] = true, ["refunded"] = false, ["disputed"] = false, ["livemode"] = false, ["payment_intent"] = $"pi_{i}",
                ["balance_transaction"] = $"txn_{i}", ["description"] = "Order", ["failure_code"] = null, ["failure_message"] = null,
                ["metadata"] = new JsonObject { ["order_id"] = $"o{i}" }, ["receipt_url"] = $"https://pay.example.com/receipts/{i}",
                ["billing_details"] = new JsonObject { ["email"] = $"buyer{i}@example.com", ["address"] = new JsonObject { ["country"] = "US" } },
            };
            edit?.Invoke(charge, i);
            records.Add(charge.ToJsonString());
        }
        return records;
    }

    public static QualityReport Evaluate(string rulesYaml, IEnumerable<string> records, IReadOnlyList<QualityReport>? history = null,
        long? windowTo = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? tables = null)
    {
        var schema = StreamSchema.Charges;
        var config = QualityConfig.Parse(rulesYaml, "test.yaml", schema);
        history ??= [];
        var evaluator = new QualityEvaluator(config.Build(history), 0);
        var transformer = new RecordTransformer(schema, "run-test", DateTimeOffset.UnixEpoch);
        long newest = Created;
        foreach (var text in records)
        {
            using var document = JsonDocument.Parse(text);
            if (transformer.TryTransform(document.RootElement, out var row, out var unknown))
            {
                newest = Math.Max(newest, (long)row[1]!);
                evaluator.Observe(row, document.RootElement, unknown);
            }
        }
        var context = new QualityContext
        {
            Rows = transformer.Count, Rejected = transformer.RejectedCount, Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            WindowFrom = Created - 3600, WindowTo = windowTo ?? newest + 60, History = history,
            ReadColumn = (stream, column, _) => Task.FromResult(tables?.GetValueOrDefault($"{stream}.{column}") is { } values ? Values(values) : null),
        };
        return evaluator.FinishAsync("run-test", "stripe", "charges", context, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The single rule's result of a one-rule file.</summary>
    public static RuleResult Single(string ruleYaml, IEnumerable<string> records, IReadOnlyList<QualityReport>? history = null, long? windowTo = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? tables = null) =>
        Assert.Single(Evaluate($"rules:\n  - {ruleYaml.Replace("\n", "\n    ", StringComparison.Ordinal)}\n", records, history, windowTo, tables).Rules);

    /// <summary>A report of an earlier run holding only the given metrics and distributions.</summary>
    public static QualityReport Earlier(int runsAgo, IReadOnlyDictionary<string, double>? metrics = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? distributions = null) => new()
    {
        RunId = $"earlier-{runsAgo}", Source = "stripe", Stream = "charges", At = runsAgo, Rows = 0, Outcome = QualityOutcomes.Passed, Rules = [],
        Metrics = metrics ?? new Dictionary<string, double>(), Distributions = distributions ?? new Dictionary<string, IReadOnlyDictionary<string, double>>(),
    };

    /// <summary>Earlier runs, newest first, each measuring <paramref name="metric"/> at the value given (listed oldest first).</summary>
    public static List<QualityReport> History(string metric, params double[] oldestFirst) =>
        [.. oldestFirst.Select((value, i) => Earlier(oldestFirst.Length - i, new Dictionary<string, double> { [metric] = value })).Reverse()];

#pragma warning disable CS1998 // an async iterator over a list
    private static async IAsyncEnumerable<string> Values(IEnumerable<string> values)
#pragma warning restore CS1998
    {
        foreach (var value in values)
        {
            yield return value;
        }
    }
}
