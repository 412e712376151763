using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Tests;

/// <summary><c>rules suggest</c>: a table ingested from the Sandbox is profiled; the suggestion is a rules file the checker accepts and the same table passes.</summary>
public sealed class RuleSuggestTests : IAsyncLifetime
{
    private JobSandbox _job = default!;

    public async Task InitializeAsync() => _job = await JobSandbox.StartAsync("suggest", o => (o.Charges, o.Days) = (1500, 10));

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task Suggest_OnAnIngestedTable_PrintsRulesTheCheckerAcceptsAndTheTablePasses_WithWhatSuggestedEach()
    {
        var ingest = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-1", "--mode", "full", "--safety-lag-seconds", "0", "--slice-seconds", "172800",
            "--state", _job.State, "--api-base", _job.Sandbox.BaseAddress.ToString(), "--lake", _job.Lake);
        Assert.True(ingest.Code == 0, ingest.Error);

        var (code, yaml, progress) = await RunAsync("rules", "suggest", "--stream", "charges", "--lake", _job.Lake);

        Assert.True(code == 0, progress);
        Assert.Contains("profiled file 1 of", progress, StringComparison.Ordinal);
        Assert.StartsWith("# Rules suggested for stripe/charges from its table (version 0, 1,500 rows)", yaml, StringComparison.Ordinal);
        var config = QualityConfig.Parse(yaml, "suggested.yaml", StreamSchema.Charges);
        var rules = config.Rules.Select(r => (r.Type, r.Column)).ToHashSet();
        Assert.Contains(("not_null", "id"), rules);
        Assert.Contains(("unique", "id"), rules);
        Assert.Contains(("starts_with", "id"), rules);
        Assert.Contains(("allowed_values", "currency"), rules);
        Assert.Contains(("iso_currency", "currency"), rules);
        Assert.Contains(("value_between", "amount"), rules);
        Assert.Contains("  # id (string): no nulls in 1,500 rows\n  - type: not_null\n    column: id\n", yaml, StringComparison.Ordinal);
        var file = Path.Combine(_job.Folder, "suggested.yaml");
        await File.WriteAllTextAsync(file, yaml);
        var check = await RunAsync("rules", "--check", file, "--stream", "charges");
        Assert.True(check.Code == 0, check.Error);

        // Judged on the table it came from, every suggested rule passes.
        var table = new LakeTable(LakeStorages.Open(_job.Lake), "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
        var evaluator = new QualityEvaluator(config.Build([]), StreamSchema.Charges.IndexOf("id"));
        var read = await table.ReadByFileAsync();
        await foreach (var rows in read!.Value.Rows)
        {
            foreach (var row in rows)
            {
                evaluator.Observe(row, default);
            }
        }
        var report = await evaluator.FinishAsync("check", "stripe", "charges", new QualityContext
        {
            Rows = evaluator.Rows, Rejected = 0, Now = 0, WindowFrom = 0, WindowTo = 0, History = [], ReadColumn = (_, _, _) => Task.FromResult<IAsyncEnumerable<string>?>(null),
        }, CancellationToken.None);
        Assert.All(report.Rules, rule => Assert.True(rule.Outcome == RuleOutcome.Passed, $"{rule.Rule}: {rule.Message}"));
    }

    [Fact]
    public async Task Suggest_NoTableYet_SaysSo()
    {
        var (code, _, error) = await RunAsync("rules", "suggest", "--stream", "refunds", "--lake", _job.Lake);

        Assert.Equal(2, code);
        Assert.Contains("stripe/refunds has no table yet", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await JobCommand.RunAsync(args, output, error, name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null);
        return (code, output.ToString(), error.ToString());
    }
}
