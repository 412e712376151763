using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Transform;
using static OpsConsole.SparkJobs.Tests.QualityHarness;

namespace OpsConsole.SparkJobs.Tests;

/// <summary><c>where</c> on a rule: the rows it judges, the run's row count it sees, and the history and metrics kept apart.</summary>
public sealed class QualityWhereTests
{
    /// <summary>Ten charges, the odd ones failed with no currency.</summary>
    private static List<string> Mixed() => Charges(10, (o, i) =>
    {
        if (i % 2 == 1)
        {
            o["status"] = "failed";
            o["currency"] = null;
            o["amount"] = 50;
        }
    });

    [Fact]
    public void RowRule_JudgesOnlyTheRowsTheConditionHoldsFor()
    {
        var succeeded = Single("type: not_null\ncolumn: currency\nwhere: \"status == 'succeeded'\"", Mixed());
        Assert.Equal(RuleOutcome.Passed, succeeded.Outcome);
        Assert.StartsWith("5 rows where status == 'succeeded':", succeeded.Message, StringComparison.Ordinal);
        Assert.EndsWith(" where status == 'succeeded'", succeeded.Threshold, StringComparison.Ordinal);

        var failed = Single("type: not_null\ncolumn: currency\nwhere: \"status == 'failed'\"", Mixed());
        Assert.Equal((RuleOutcome.Failed, 5L), (failed.Outcome, failed.Failing));
        Assert.Equal(1.0, failed.FailingFraction);
    }

    [Fact]
    public void MetricAndVolumeRules_MeasureTheChosenRows()
    {
        Assert.Equal(50, Single("type: mean_between\ncolumn: amount\nmax: 100\nwhere: \"status == 'failed'\"", Mixed()).Observed);
        Assert.Equal(1000, Single("type: mean_between\ncolumn: amount\nmin: 500\nwhere: \"status != 'failed'\"", Mixed()).Observed);
        var count = Single("type: row_count_between\nmin: 6\nwhere: amount > 100", Mixed());
        Assert.Equal((RuleOutcome.Failed, 5.0), (count.Outcome, count.Observed));
    }

    [Fact]
    public void AnomalyRule_ReadsAndWritesTheHistoryOfTheSameCondition_NeverTheUnfilteredOne()
    {
        const string rule = "rules:\n  - type: anomaly_zscore\n    metric: mean:amount\n    min_history: 3\n    where: \"status == 'failed'\"\n";
        // The unfiltered history says about 1,000; the failed rows' own history about 50.
        var history = Enumerable.Range(1, 5).Select(i => Earlier(i, new Dictionary<string, double>
        {
            ["mean:amount"] = 1000 + i, ["mean:amount where status == 'failed'"] = 50 + (i % 2),
        })).ToList();

        var report = Evaluate(rule, Mixed(), history);

        var result = Assert.Single(report.Rules);
        Assert.Equal(RuleOutcome.Passed, result.Outcome);
        Assert.InRange(result.Upper!.Value, 50, 60);
        Assert.Equal(50, report.Metrics["mean:amount where status == 'failed'"]);
        Assert.False(report.Metrics.ContainsKey("mean:amount"));
        Assert.Equal(RuleOutcome.Skipped, Assert.Single(Evaluate(rule, Mixed(), [.. history.Select(h => h with
        {
            Metrics = new Dictionary<string, double> { ["mean:amount"] = 1000 },
        })]).Rules).Outcome);
    }

    [Theory]
    [InlineData("type: not_null\n    column: currency\n    where: \"stauts == 'failed'\"", "key 'where'", "stauts")]
    [InlineData("type: not_null\n    column: currency\n    where: \"status ==\"", "key 'where'", "status ==")]
    [InlineData("type: rejected_records\n    where: \"status == 'failed'\"", "key 'where'", "rejected records never became rows")]
    public void BadWhere_IsRefusedAtLoad_NamingTheKey(string rule, string key, string detail)
    {
        var error = Assert.Throws<QualityConfigException>(() => QualityConfig.Parse($"rules:\n  - {rule}\n", "test.yaml", StreamSchema.Charges));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }
}
