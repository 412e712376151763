using System.Text.Json.Nodes;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Quality;
using static OpsConsole.SparkJobs.Tests.QualityHarness;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>Every rule type of the catalog, on data that passes it and data that fails it.</summary>
public sealed class QualityRuleTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> CustomerTable =
        new Dictionary<string, IReadOnlyList<string>> { ["customers.id"] = [.. Enumerable.Range(0, 10).Select(i => $"cus_{i}")] };

    /// <summary>A rule type, its YAML, rows that pass it and rows that fail it (and, when it needs them, history and a window end).</summary>
    public sealed record Case(string Type, string Yaml, List<string> Good, List<string> Bad, long FailingRows = 1,
        IReadOnlyList<QualityReport>? History = null, long? GoodWindowTo = null, long? BadWindowTo = null)
    {
        public override string ToString() => Type;
    }

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("not_null", "type: not_null\ncolumn: currency", Charges(10), Charges(10, (o, i) => Set(o, i == 2, "currency", null))),
        new("null_fraction", "type: null_fraction\ncolumn: currency\nmax: 0.2", Charges(10, (o, i) => Set(o, i == 2, "currency", null)),
            Charges(10, (o, i) => Set(o, i < 3, "currency", null)), FailingRows: 0),
        new("not_blank", "type: not_blank\ncolumn: description", Charges(10), Charges(10, (o, i) => Set(o, i == 4, "description", "   "))),
        new("unique", "type: unique\ncolumn: id", Charges(10), Charges(10, (o, i) => Set(o, i == 3, "id", "ch_2"))),
        new("unique_combination", "type: unique_combination\ncolumns: [customer, payment_intent]", Charges(10),
            Charges(10, (o, i) => { Set(o, i == 5, "customer", "cus_4"); Set(o, i == 5, "payment_intent", "pi_4"); })),
        new("duplicate_fraction", "type: duplicate_fraction\ncolumns: [customer]\nmax: 0.2", Charges(10),
            Charges(10, (o, i) => o["customer"] = $"cus_{i % 3}"), FailingRows: 7),
        new("distinct_fraction_between", "type: distinct_fraction_between\ncolumn: currency\nmin: 0.5", Charges(4),
            Charges(4, (o, _) => o["currency"] = "usd"), FailingRows: 0),
        new("allowed_values", "type: allowed_values\ncolumn: status\nvalues: [succeeded, pending, failed]", Charges(10),
            Charges(10, (o, i) => Set(o, i == 1, "status", "weird"))),
        new("forbidden_values", "type: forbidden_values\ncolumn: currency\nvalues: [xxx]", Charges(10), Charges(10, (o, i) => Set(o, i == 1, "currency", "xxx"))),
        new("regex", "type: regex\ncolumn: payment_intent\npattern: '^pi_[0-9]+$'", Charges(10), Charges(10, (o, i) => Set(o, i == 6, "payment_intent", "pi_abc"))),
        new("length_between", "type: length_between\ncolumn: description\nmin: 1\nmax: 20", Charges(10),
            Charges(10, (o, i) => Set(o, i == 0, "description", new string('x', 21)))),
        new("value_type", "type: value_type\ncolumn: metadata\nkinds: [object]", Charges(10), Charges(10, (o, i) => Set(o, i == 7, "metadata", "text"))),
        new("email", "type: email\ncolumn: billing_details.email", Charges(10),
            Charges(10, (o, i) => { if (i == 8) { o["billing_details"]!["email"] = "not-an-email"; } })),
        new("iso_currency", "type: iso_currency\ncolumn: currency", Charges(10), Charges(10, (o, i) => Set(o, i == 3, "currency", "usx"))),
        new("iso_country", "type: iso_country\ncolumn: billing_details.address.country", Charges(10),
            Charges(10, (o, i) => { if (i == 2) { o["billing_details"]!["address"]!["country"] = "XX"; } })),
        new("starts_with", "type: starts_with\ncolumn: id\nprefix: ch_", Charges(10), Charges(10, (o, i) => Set(o, i == 9, "id", "py_9"))),
        new("url", "type: url\ncolumn: receipt_url", Charges(10), Charges(10, (o, i) => Set(o, i == 5, "receipt_url", "ftp://example.com/r"))),
        new("uuid", "type: uuid\ncolumn: metadata.request", Charges(10, (o, i) => o["metadata"]!["request"] = $"3f2b8c1e-9a4d-4c6b-8e2f-0a1b2c3d4e{i:D2}"),
            Charges(10, (o, i) => o["metadata"]!["request"] = i == 3 ? "3f2b8c1e9a4d4c6b8e2f0a1b2c3d4e03" : $"3F2B8C1E-9A4D-4C6B-8E2F-0A1B2C3D4E{i:D2}")),
        new("ip_address", "type: ip_address\ncolumn: metadata.ip", Charges(10, (o, i) => o["metadata"]!["ip"] = i % 2 == 0 ? $"10.0.0.{i}" : $"2001:db8::{i}"),
            Charges(10, (o, i) => o["metadata"]!["ip"] = i == 4 ? "10.0.1" : $"192.168.1.{i}")),
        new("e164_phone", "type: e164_phone\ncolumn: metadata.phone", Charges(10, (o, i) => o["metadata"]!["phone"] = $"+4915112345{i:D3}"),
            Charges(10, (o, i) => o["metadata"]!["phone"] = i == 5 ? "+49 151 1234500" : $"+1415555{i:D4}")),
        new("iso8601", "type: iso8601\ncolumn: metadata.shipped",
            Charges(10, (o, i) => o["metadata"]!["shipped"] = new[] { "2026-12-07", "2026-12-07T10:30", "2026-12-07T10:30:00Z", "2026-02-28T23:59:59.123+02:00" }[i % 4]),
            Charges(10, (o, i) => o["metadata"]!["shipped"] = i == 6 ? "2026-02-30" : "2026-12-07T10:30:00Z")),
        new("no_card_numbers", "type: no_card_numbers\ncolumn: description",
            Charges(10, (o, i) => o["description"] = i == 1 ? "Order 4111 1111 1111 1112 and 12345678901234567890123" : $"Order {i}"),
            Charges(10, (o, i) => o["description"] = i == 7 ? "Paid with 4242-4242-4242-4242, thanks" : $"Order {i}")),
        new("json_object", "type: json_object\ncolumn: metadata", Charges(10), Charges(10, (o, i) => Set(o, i == 5, "metadata", "not json"))),
        new("not_matching_regex", "type: not_matching_regex\ncolumn: description\npattern: 'sk_(live|test)_'", Charges(10),
            Charges(10, (o, i) => Set(o, i == 2, "description", "key sk_live_abc pasted"))),
        new("strftime_format", "type: strftime_format\ncolumn: metadata.shipped\nformat: '%Y-%m-%dT%H:%M:%S'",
            Charges(10, (o, i) => o["metadata"]!["shipped"] = $"2026-12-{i + 1:D2}T10:30:00"),
            Charges(10, (o, i) => o["metadata"]!["shipped"] = i == 4 ? "2026-12-05 10:30:00" : "2026-12-01T10:30:00")),
        new("date_parseable", "type: date_parseable\ncolumn: metadata.shipped",
            Charges(10, (o, i) => o["metadata"]!["shipped"] = new[] { "2026-12-07", "12/07/2026 10:30", "7 Dec 2026", "2026-12-07T10:30:00Z" }[i % 4]),
            Charges(10, (o, i) => o["metadata"]!["shipped"] = i == 8 ? "next tuesday" : "2026-12-07")),
        new("numeric_text", "type: numeric_text\ncolumn: metadata.weight", Charges(10, (o, i) => o["metadata"]!["weight"] = i % 2 == 0 ? $"{i}.50" : "-3e2"),
            Charges(10, (o, i) => o["metadata"]!["weight"] = i == 1 ? "12,5" : "12.5")),
        new("lowercase", "type: lowercase\ncolumn: currency", Charges(10), Charges(10, (o, i) => Set(o, i == 3, "currency", "USD"))),
        new("trimmed", "type: trimmed\ncolumn: description", Charges(10), Charges(10, (o, i) => Set(o, i == 6, "description", "Order 6 "))),
        new("printable_ascii", "type: printable_ascii\ncolumn: description", Charges(10),
            Charges(10, (o, i) => Set(o, i == 2, "description", "Ord\u0435r 2"))),
        new("luhn_valid", "type: luhn_valid\ncolumn: metadata.card", Charges(10, (o, i) => o["metadata"]!["card"] = i % 2 == 0 ? "4242 4242 4242 4242" : "4111-1111-1111-1111"),
            Charges(10, (o, i) => o["metadata"]!["card"] = i == 9 ? "4242 4242 4242 4241" : "4242424242424242")),
        new("integer", "type: integer\ncolumn: metadata.units", Charges(10, (o, i) => o["metadata"]!["units"] = i),
            Charges(10, (o, i) => o["metadata"]!["units"] = i == 7 ? 2.5 : i)),
        new("max_decimal_places", "type: max_decimal_places\ncolumn: metadata.rate\nplaces: 2", Charges(10, (o, i) => o["metadata"]!["rate"] = $"0.{i}5"),
            Charges(10, (o, i) => o["metadata"]!["rate"] = i == 0 ? "0.125" : "0.12")),
        new("value_between", "type: value_between\ncolumn: amount\nmin: 0\nmax: 100000", Charges(10), Charges(10, (o, i) => Set(o, i == 5, "amount", 200_000))),
        new("non_negative", "type: non_negative\ncolumn: amount", Charges(10, (o, i) => Set(o, i == 0, "amount", 0)), Charges(10, (o, i) => Set(o, i == 5, "amount", -5))),
        new("positive", "type: positive\ncolumn: amount", Charges(10), Charges(10, (o, i) => Set(o, i == 5, "amount", 0))),
        new("min_between", "type: min_between\ncolumn: amount\nmin: 100", Charges(10), Charges(10, (o, i) => Set(o, i == 5, "amount", 50)), FailingRows: 0),
        new("max_between", "type: max_between\ncolumn: amount\nmax: 5000", Charges(10), Charges(10, (o, i) => Set(o, i == 5, "amount", 9000)), FailingRows: 0),
        new("mean_between", "type: mean_between\ncolumn: amount\nmin: 900\nmax: 1100", Charges(10), Charges(10, (o, _) => o["amount"] = 2000), FailingRows: 0),
        new("stddev_between", "type: stddev_between\ncolumn: amount\nmax: 10", Charges(10), Charges(10, (o, i) => o["amount"] = i % 2 * 2000), FailingRows: 0),
        new("quantile_between", "type: quantile_between\ncolumn: amount\nquantile: 0.5\nmin: 900\nmax: 1100", Charges(10),
            Charges(10, (o, i) => o["amount"] = i < 6 ? 3000 : 1000), FailingRows: 0),
        new("median_between", "type: median_between\ncolumn: amount\nmin: 900\nmax: 1100", Charges(10),
            Charges(10, (o, i) => o["amount"] = i < 6 ? 3000 : 1000), FailingRows: 0),
        new("sum_between", "type: sum_between\ncolumn: amount\nmax: 20000", Charges(10), Charges(10, (o, _) => o["amount"] = 5000), FailingRows: 0),
        new("row_count_between", "type: row_count_between\nmin: 5", Charges(10), Charges(3), FailingRows: 0),
        new("row_count_change", "type: row_count_change\nmax_change: 0.5\nper_hour: false", Charges(10), Charges(30), FailingRows: 0,
            History: History("row_count", 10, 11, 9)),
        new("rejected_records", "type: rejected_records", Charges(10), Charges(10, (o, i) => { if (i == 4) { o.Remove("created"); } }), FailingRows: 0),
        new("freshness", "type: freshness\nmax_lag_seconds: 3600", Charges(10), Charges(10), FailingRows: 0,
            GoodWindowTo: Created + 600, BadWindowTo: Created + 100_000),
        new("not_in_future", "type: not_in_future", Charges(10),
            Charges(10, (o, i) => Set(o, i == 3, "created", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 86_400)), BadWindowTo: DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 90_000),
        new("compare_columns", "type: compare_columns\nleft: amount_refunded\nop: '<='\nright: amount", Charges(10),
            Charges(10, (o, i) => Set(o, i == 1, "amount_refunded", 2000))),
        new("implies", "type: implies\nwhen: \"status == 'failed'\"\nthen: paid == false",
            Charges(10, (o, i) => { Set(o, i == 1, "status", "failed"); Set(o, i == 1, "paid", false); }),
            Charges(10, (o, i) => Set(o, i == 1, "status", "failed"))),
        new("equivalent", "type: equivalent\nleft: refunded == true\nright: amount_refunded > 0 and amount_refunded >= amount_captured",
            Charges(10, (o, i) => { Set(o, i == 1, "refunded", true); Set(o, i == 1, "amount_refunded", 1000); }),
            Charges(10, (o, i) => Set(o, i == 1, "refunded", true))),
        new("sum_of_columns_equals", "type: sum_of_columns_equals\ncolumns: [metadata.subtotal, metadata.tax]\ncolumn: metadata.total",
            Charges(10, (o, i) => { o["metadata"]!["subtotal"] = 1000 + i; o["metadata"]!["tax"] = 190; o["metadata"]!["total"] = 1190 + i; }),
            Charges(10, (o, i) => { o["metadata"]!["subtotal"] = 1000; o["metadata"]!["tax"] = 190; o["metadata"]!["total"] = i == 3 ? 1000 : 1190; })),
        new("distinct_within_row", "type: distinct_within_row\ncolumns: [customer, payment_intent]", Charges(10),
            Charges(10, (o, i) => Set(o, i == 5, "payment_intent", o["customer"]!.GetValue<string>()))),
        new("foreign_key", "type: foreign_key\ncolumn: customer\nstream: customers", Charges(10), Charges(10, (o, i) => Set(o, i == 1, "customer", "cus_missing"))),
        new("distinct_count_between", "type: distinct_count_between\ncolumn: currency\nmin: 2", Charges(10), Charges(10, (o, _) => o["currency"] = "usd"), FailingRows: 0),
        new("value_fraction_between", "type: value_fraction_between\ncolumn: status\nvalue: failed\nmax: 0.2", Charges(10, (o, i) => Set(o, i == 1, "status", "failed")),
            Charges(10, (o, i) => Set(o, i < 5, "status", "failed")), FailingRows: 0),
        new("top_values_stable", "type: top_values_stable\ncolumn: currency", Charges(8, (o, _) => o["currency"] = "usd"),
            Charges(8, (o, _) => o["currency"] = "eur"), FailingRows: 0,
            History: [Earlier(1, distributions: new Dictionary<string, IReadOnlyDictionary<string, double>> { ["top:currency"] = new Dictionary<string, double> { ["usd"] = 1.0 } })]),
        new("expected_fields", "type: expected_fields\nfields: [livemode, metadata]", Charges(10), Charges(10, (o, i) => { if (i == 2) { o.Remove("livemode"); } })),
        new("no_unknown_fields", "type: no_unknown_fields", Charges(10), Charges(10, (o, i) => Set(o, i == 2, "x_new", "surprise"))),
        new("type_drift", "type: type_drift", Charges(10), Charges(10, (o, i) => Set(o, i == 2, "amount", "1000")),
            History: [Earlier(1, distributions: new Dictionary<string, IReadOnlyDictionary<string, double>> { ["kinds"] = KindsOf(Charges(3)) })]),
        new("expression", "type: expression\nexpression: amount_captured <= amount and len(currency) == 3", Charges(10),
            Charges(10, (o, i) => Set(o, i == 2, "currency", "us"))),
        new("anomaly_zscore", "type: anomaly_zscore\nmetric: mean:amount", Charges(10), Charges(10, (o, _) => o["amount"] = 5000), FailingRows: 0,
            History: History("mean:amount", 1000, 1010, 990, 1005, 995)),
        new("anomaly_rate_of_change", "type: anomaly_rate_of_change\nmetric: row_count\nmax_change: 0.5", Charges(10), Charges(30), FailingRows: 0,
            History: History("row_count", 10)),
        new("anomaly_mad", "type: anomaly_mad\nmetric: mean:amount", Charges(10), Charges(10, (o, _) => o["amount"] = 3000), FailingRows: 0,
            History: History("mean:amount", 1000, 1010, 990, 100_000, 1005, 995)),
        new("anomaly_absolute_change", "type: anomaly_absolute_change\nmetric: row_count\nmax_increase: 5\nmax_decrease: 2", Charges(10), Charges(20), FailingRows: 0,
            History: History("row_count", 6, 7, 8)),
        new("anomaly_threshold", "type: anomaly_threshold\nmetric: mean:amount\nmin: 500\nmax: 1500", Charges(10), Charges(10, (o, _) => o["amount"] = 2000),
            FailingRows: 0),
        new("anomaly_online_normal", "type: anomaly_online_normal\nmetric: mean:amount", Charges(10), Charges(10, (o, _) => o["amount"] = 3000), FailingRows: 0,
            History: History("mean:amount", 1000, 1010, 990, 100_000, 1005, 995)),
        new("anomaly_holt_winters", "type: anomaly_holt_winters\nmetric: mean:amount", Charges(10), Charges(10, (o, _) => o["amount"] = 1400), FailingRows: 0,
            History: History("mean:amount", [.. Enumerable.Range(0, 21).Select(day => day % 7 == 0 ? 1000.0 : 1200.0 + (day % 3))])),
    ];

    public static TheoryData<string> TypeNames() => [.. Cases.Select(c => c.Type)];

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Rule_PassesGoodDataAndFailsBadData(string type)
    {
        var test = Cases.Single(c => c.Type == type);

        var good = Single(test.Yaml, test.Good, test.History, test.GoodWindowTo, CustomerTable);
        var bad = Single(test.Yaml, test.Bad, test.History, test.BadWindowTo, CustomerTable);

        Assert.True(good.Outcome == RuleOutcome.Passed, $"{type} on good data: {good.Outcome}: {good.Message}");
        Assert.True(bad.Outcome == RuleOutcome.Failed, $"{type} on bad data: {bad.Outcome}: {bad.Message}");
        Assert.Equal(test.FailingRows, bad.Failing);
        Assert.Equal(0, good.Failing);
        Assert.False(string.IsNullOrWhiteSpace(bad.Message));
        Assert.Equal(type, bad.Type);
    }

    [Fact]
    public void Catalog_EveryTypeHasACaseAndTheCategoriesOfTheDesign()
    {
        Assert.True(RuleCatalog.Types.Count >= 40, $"{RuleCatalog.Types.Count} rule types");
        Assert.Equal(RuleCatalog.Types.Select(t => t.Name).Order(), Cases.Select(c => c.Type).Order());
        Assert.Equal(RuleCatalog.Types.Count, RuleCatalog.Types.Select(t => t.Name).Distinct().Count());
        Assert.Superset(RuleCatalog.Types.Select(t => t.Category).ToHashSet(),
            new HashSet<string> { "completeness", "uniqueness", "validity", "range", "volume", "freshness", "consistency", "referential", "distribution", "schema", "custom", "anomaly" });
    }

    [Fact]
    public void RowRule_FailingRows_AreSampledByIdAndCapped()
    {
        var result = Single("type: non_negative\ncolumn: amount", Charges(50, (o, _) => o["amount"] = -1));

        Assert.Equal(50, result.Failing);
        Assert.Equal(1.0, result.FailingFraction);
        Assert.Equal(QualityReport.SampleLimit, result.Samples.Count);
        Assert.Equal("ch_0", result.Samples[0]);
    }

    [Fact]
    public void RowRule_MaxFraction_ToleratesThatShare()
    {
        var records = Charges(10, (o, i) => Set(o, i == 0, "currency", null));

        Assert.Equal(RuleOutcome.Passed, Single("type: not_null\ncolumn: currency\nmax_fraction: 0.1", records).Outcome);
        Assert.Equal(RuleOutcome.Failed, Single("type: not_null\ncolumn: currency\nmax_fraction: 0.05", records).Outcome);
    }

    [Fact]
    public async Task Uniqueness_PastTheExactLimit_EstimatesTheRepeatsLessTheSketchsError()
    {
        var rule = new UniquenessRule(new RuleHeader("u", "unique", "id", Severity.Error, false), [new ValueAccessor("id", 0, null)], 0, exactLimit: 1000);
        const int Distinct = 200_000;
        for (var i = 0; i < Distinct; i++)
        {
            rule.Observe([$"ch_{i}"], default, $"ch_{i}", null);
        }
        for (var i = 0; i < 50_000; i++)
        {
            rule.Observe([$"ch_{i}"], default, $"ch_{i}", null);
        }
        var result = await rule.FinishAsync(Context(250_000), CancellationToken.None);

        Assert.True(result.Estimated);
        // 50,000 repeats, less up to the sketch's 2.4% margin and its own error of about 0.8% of 200,000 keys.
        Assert.InRange(result.Failing, 50_000 - (Distinct * (KeySet.EstimateError + 0.02)), 50_000 + (Distinct * 0.02));
        Assert.Equal(RuleOutcome.Failed, result.Outcome);
        Assert.Contains("estimated", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uniqueness_Estimated_DoesNotFailUniqueKeysByChance()
    {
        var rule = new UniquenessRule(new RuleHeader("u", "unique", "id", Severity.Error, false), [new ValueAccessor("id", 0, null)], 0, exactLimit: 1000);
        for (var i = 0; i < 300_000; i++)
        {
            rule.Observe([$"ch_{i}"], default, $"ch_{i}", null);
        }

        var result = await rule.FinishAsync(Context(300_000), CancellationToken.None);

        Assert.True(result.Estimated);
        Assert.Equal((RuleOutcome.Passed, 0L), (result.Outcome, result.Failing));
    }

    [Fact]
    public void RowRule_ThatBreaksOnARow_FailsNamingTheRowWithoutItsValue()
    {
        var result = Single("type: expression\nexpression: description > 5", Charges(3, (o, i) => Set(o, i == 1, "description", "buyer@example.com")));

        Assert.Equal(RuleOutcome.Failed, result.Outcome);
        Assert.Contains("could not be judged on ch_0", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Order", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnomalyRule_WithTooLittleHistory_IsSkippedNotFailed()
    {
        var result = Single("type: anomaly_zscore\nmetric: mean:amount", Charges(10, (o, _) => o["amount"] = 5000), History("mean:amount", 1000, 1000));

        Assert.Equal(RuleOutcome.Skipped, result.Outcome);
        Assert.Equal(5000, result.Observed);
    }

    [Fact]
    public void Report_KeepsRunMetricsAndTheMetricsOfRules_ForLaterRuns()
    {
        var report = Evaluate("rules:\n  - type: mean_between\n    column: amount\n    min: 0\n  - type: top_values_stable\n    column: currency\n", Charges(8));

        Assert.Equal(8, report.Metrics["row_count"]);
        Assert.Equal(1000, report.Metrics["mean:amount"]);
        Assert.Equal(0.25, report.Distributions["top:currency"]["usd"]);
        Assert.Equal(QualityOutcomes.Passed, report.Outcome);
    }

    [Fact]
    public void Report_Outcome_IsWarnedFailedOrBlockedBySeverityAndBlocking()
    {
        var bad = Charges(5, (o, _) => o["amount"] = -1);

        Assert.Equal(QualityOutcomes.Warned, Evaluate("rules:\n  - type: non_negative\n    column: amount\n", bad).Outcome);
        Assert.Equal(QualityOutcomes.Failed, Evaluate("rules:\n  - type: non_negative\n    column: amount\n    severity: error\n", bad).Outcome);
        Assert.Equal(QualityOutcomes.Blocked, Evaluate("rules:\n  - type: non_negative\n    column: amount\n    blocking: true\n", bad).Outcome);
        Assert.Equal(QualityOutcomes.Passed, Evaluate("rules:\n  - type: non_negative\n    column: amount\n    blocking: true\n", Charges(5)).Outcome);
    }

    [Fact]
    public void Report_RoundTripsThroughJson()
    {
        var report = Evaluate("rules:\n  - type: unique\n    column: id\n", Charges(5, (o, i) => Set(o, i == 1, "id", "ch_0")));

        var copy = QualityReport.FromJson(report.ToJson());

        Assert.Equal(report.Outcome, copy.Outcome);
        Assert.Equal(report.Rules[0].Samples, copy.Rules[0].Samples);
        Assert.Equal(report.Rules[0].Severity, copy.Rules[0].Severity);
        Assert.Equal(report.Metrics["row_count"], copy.Metrics["row_count"]);
    }

    private static QualityContext Context(long rows) => new()
    {
        Rows = rows, Rejected = 0, Now = 0, WindowFrom = 0, WindowTo = 1, History = [],
        ReadColumn = (_, _, _) => Task.FromResult<IAsyncEnumerable<string>?>(null),
    };

    private static void Set(JsonObject record, bool when, string field, JsonNode? value)
    {
        if (when)
        {
            record[field] = value;
        }
    }

    private static Dictionary<string, double> KindsOf(List<string> records) =>
        Evaluate("rules:\n  - type: type_drift\n", records).Distributions["kinds"].ToDictionary(p => p.Key, p => p.Value);
}
