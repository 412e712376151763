using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>Rules files: the shipped defaults load, and every mistake names the rule and the key.</summary>
public sealed class QualityConfigTests
{
    [Theory]
    [InlineData("charges")]
    [InlineData("customers")]
    [InlineData("refunds")]
    public void Defaults_LoadForEveryStream_WithABlockingRule(string stream)
    {
        var config = QualityConfig.Defaults(StreamSchema.For(stream));

        Assert.True(config.Rules.Count >= 10);
        Assert.Contains(config.Rules, r => r.Blocking);
        Assert.Contains(config.Rules, r => r.Type.StartsWith("anomaly_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rules:\n  - type: not_nul\n    column: currency\n", "rules[0]", "key 'type'", "did you mean not_null")]
    [InlineData("rules:\n  - type: not_null\n    column: amout\n", "rule 'not_null_amout'", "key 'column' (line 3)", "not a column of charges")]
    [InlineData("rules:\n  - type: not_null\n", "rule 'not_null'", "key 'column'", "is required")]
    [InlineData("rules:\n  - type: value_between\n    column: amount\n    min: lots\n", "rule 'value_between_amount'", "key 'min' (line 4)", "'lots' is not a number")]
    [InlineData("rules:\n  - type: value_between\n    column: amount\n    min: 5\n    max: 1\n", "rule 'value_between_amount'", "key 'min'", "greater than max")]
    [InlineData("rules:\n  - type: not_null\n    column: currency\n    severity: fatal\n", "rule 'not_null_currency'", "key 'severity' (line 4)", "not info, warn or error")]
    [InlineData("rules:\n  - type: not_null\n    column: currency\n    blocking: maybe\n", "rule 'not_null_currency'", "key 'blocking'", "not true or false")]
    [InlineData("rules:\n  - type: not_null\n    column: currency\n    colour: red\n", "rules[0]", "key 'colour' (line 4)", "does not take 'colour'")]
    [InlineData("rules:\n  - type: expression\n    expression: amount >< 1\n", "rule 'expression'", "key 'expression' (line 3)", "unexpected '<'")]
    [InlineData("rules:\n  - type: expression\n    expression: amont > 1\n", "rule 'expression'", "key 'expression'", "'amont' (at 1) is not a column")]
    [InlineData("rules:\n  - type: regex\n    column: id\n    pattern: '(['\n", "rule 'regex_id'", "key 'pattern'", "not a regular expression")]
    [InlineData("rules:\n  - type: mean_between\n    column: currency\n    min: 1\n", "rule 'mean_between_currency'", "key 'column'", "needs a number column")]
    [InlineData("rules:\n  - type: anomaly_zscore\n    metric: average:amount\n", "rule 'anomaly_zscore_average:amount'", "key 'metric'", "not a column metric")]
    [InlineData("rules:\n  - type: not_null\n    column: currency\n  - type: not_null\n    column: currency\n", "rule 'not_null_currency' (rules[1]", "", "is used by")]
    [InlineData("rules:\n  - type: not_null\n    column: [a, b]\n", "rule 'not_null'", "key 'column'", "is a list")]
    [InlineData("rules:\n  - type: foreign_key\n    column: customer\n    stream: customer\n", "rule 'foreign_key_customer'", "key 'stream' (line 4)", "'customer' is not a stream")]
    [InlineData("rules:\n  - type: foreign_key\n    column: customer\n    stream: customers\n    to_column: key\n", "rule 'foreign_key_customer'", "key 'to_column' (line 5)", "'key' is not a column of customers")]
    [InlineData("rules:\n  - type: anomaly_zscore\n    metric: row_count\n    min_history: 500\n", "rule 'anomaly_zscore_row_count'", "key 'min_history'", "between 2 and 100")]
    [InlineData("stream: refunds\nrules: []\n", "test.yaml", "key 'stream' (line 1)", "rules are for charges")]
    [InlineData("rules:\n  - type: [x\n", "test.yaml", "not valid YAML at line", "")]
    [InlineData("rulez: []\n", "test.yaml", "unknown top-level key 'rulez'", "")]
    public void Parse_Mistake_NamesTheRuleAndTheKey(string yaml, string rule, string key, string problem)
    {
        var exception = Assert.Throws<QualityConfigException>(() => QualityConfig.Parse(yaml, "test.yaml", StreamSchema.Charges));

        Assert.StartsWith("test.yaml", exception.Message, StringComparison.Ordinal);
        Assert.Contains(rule, exception.Message, StringComparison.Ordinal);
        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Folder_UsesTheStreamsFileOrTheDefaults()
    {
        var folder = Directory.CreateTempSubdirectory("opsconsole-rules-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "charges.yaml"), "rules:\n  - type: unique\n    column: id\n");

            Assert.Single(QualityConfig.Load(folder, StreamSchema.Charges).Rules);
            Assert.Equal(QualityConfig.Defaults(StreamSchema.Refunds).Rules.Count, QualityConfig.Load(folder, StreamSchema.Refunds).Rules.Count);
            Assert.Throws<QualityConfigException>(() => QualityConfig.Load(Path.Combine(folder, "missing.yaml"), StreamSchema.Charges));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task RulesCommand_PrintsEveryTypeAndTheReadmeReferenceIsGeneratedFromIt()
    {
        var output = new StringWriter();
        Assert.Equal(0, await JobCommand.RunAsync(["rules"], output, new StringWriter()));
        foreach (var type in RuleCatalog.Types)
        {
            Assert.Contains($"  {type.Name}: ", output.ToString(), StringComparison.Ordinal);
        }

        // The README's reference is the catalog's Markdown between the markers, byte for byte.
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "SparkJobs", "README.md"));
        const string Begin = "<!-- rules:begin (generated by `OpsConsole.SparkJobs rules --markdown`) -->\n";
        const string End = "<!-- rules:end -->";
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        Assert.True(start >= 0, "SparkJobs/README.md has no rule reference markers");
        var reference = readme[(start + Begin.Length)..readme.IndexOf(End, start, StringComparison.Ordinal)];
        var markdown = new StringWriter();
        await JobCommand.RunAsync(["rules", "--markdown"], markdown, new StringWriter());
        Assert.Equal(markdown.ToString(), reference);
    }

    [Fact]
    public async Task RulesCommand_Check_ReportsTheMistakeAndExits2()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "rules:\n  - type: positive\n    column: currency\n");
            var error = new StringWriter();

            Assert.Equal(2, await JobCommand.RunAsync(["rules", "--check", file, "--stream", "charges"], new StringWriter(), error));
            Assert.Contains("rule 'positive_currency'", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("needs a number column", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Console.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("Console.sln not found above the test's folder.");
    }

    [Fact]
    public void Notify_NamesARoute_CarriedIntoTheResult_AWrongNameIsRefusedNamingTheKey()
    {
        var result = QualityHarness.Single("type: not_blank\ncolumn: description\nnotify: payments-team",
            QualityHarness.Charges(3, (o, i) => { if (i == 1) { o["description"] = " "; } }));
        Assert.Equal((RuleOutcome.Failed, "payments-team"), (result.Outcome, result.Notify));

        var error = Assert.Throws<QualityConfigException>(() => QualityConfig.Parse("rules:\n  - type: not_null\n    column: id\n    notify: Payments Team\n",
            "test.yaml", StreamSchema.Charges));
        Assert.Contains("key 'notify' (line 4): 'Payments Team' is not a route name", error.Message, StringComparison.Ordinal);
    }
}
