using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.Shared.State.Sqlite;
using OpsConsole.Shared.Lake.Storage.Local;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>Data quality in real runs against a Sandbox that corrupts some objects on purpose (nulls, negative amounts, repeated ids, unknown fields).</summary>
public sealed class QualityJobTests : IAsyncLifetime
{
    private JobSandbox _job = default!;

    private string Lake => _job.Lake;

    private string State => _job.State;

    public async Task InitializeAsync() => _job = await JobSandbox.StartAsync("dq", o => (o.Charges, o.Days, o.BadDataRate) = (3000, 20, 0.04));

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task DefaultRules_OnTheSandboxsBadData_FailExactlyTheRulesItBreaksWithExactCounts()
    {
        var (code, output, error) = await _job.RunChargesAsync("ingest", "--run-id", "dq-1", "--mode", "full");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var report = (await new SqliteStateStore(State).GetQualityReportAsync("dq-1"))!;
        // What the source really sent, counted independently of the rule engine from the same pages.
        var sent = await _job.SentChargesAsync(report.WindowFrom, report.WindowTo);
        var nullCurrency = sent.Count(o => o.GetProperty("currency").ValueKind == JsonValueKind.Null);
        var negative = sent.Count(o => o.GetProperty("amount").GetInt64() < 0);
        var repeated = sent.Count - sent.Select(o => o.GetProperty("id").GetString()).Distinct().Count();
        var unknown = sent.Count(o => o.TryGetProperty("x_sandbox_unexpected", out _));
        Assert.True(nullCurrency > 0 && negative > 0 && repeated > 0 && unknown > 0, $"the Sandbox corrupted too little: {nullCurrency}, {negative}, {repeated}, {unknown}");

        var failed = report.Rules.Where(r => r.Outcome == RuleOutcome.Failed).ToDictionary(r => r.Rule, r => r.Failing);
        Assert.Equal(new Dictionary<string, long>
        {
            ["not_null_currency"] = nullCurrency,
            ["non_negative_amount"] = negative,
            ["refunded_at_most_amount"] = negative,
            ["unique_id"] = repeated,
            ["no_unknown_fields"] = unknown,
        }, failed);
        Assert.Equal(QualityOutcomes.Failed, report.Outcome);
        Assert.Equal(sent.Count, report.Rows);
        Assert.DoesNotContain(report.Rules, r => r.Outcome == RuleOutcome.Skipped && !r.Type.StartsWith("anomaly_", StringComparison.Ordinal)
            && r.Type is not ("top_values_stable" or "type_drift" or "foreign_key" or "row_count_change"));
        // The samples are ids of records that break the rule.
        var negatives = sent.Where(o => o.GetProperty("amount").GetInt64() < 0).Select(o => o.GetProperty("id").GetString()).ToHashSet();
        Assert.All(report.Rules.Single(r => r.Rule == "non_negative_amount").Samples, id => Assert.Contains(id, negatives));

        // The log says it in one dq line, and the report is next to the run in the lake.
        var dq = JobSandbox.Lines(output).Single(l => l.GetProperty("event").GetString() == "dq");
        Assert.Equal("failed", dq.GetProperty("outcome").GetString());
        Assert.Equal(5, dq.GetProperty("failed").GetInt32());
        var lakeReport = QualityReport.FromJson(await File.ReadAllTextAsync(Path.Combine(Lake, "raw", "stripe", "charges", "_runs", "dq-1", "quality.json")));
        Assert.Equal(report.Rules.Count, lakeReport.Rules.Count);

        // A second run has a history: the distribution and type rules now judge, and pass on the same kind of data.
        (code, output, error) = await _job.RunChargesAsync("ingest", "--run-id", "dq-2");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var second = (await new SqliteStateStore(State).GetQualityReportAsync("dq-2"))!;
        Assert.Equal(RuleOutcome.Passed, second.Rules.Single(r => r.Rule == "type_drift").Outcome);
    }

    [Fact]
    public async Task BlockingRule_Failing_CommitsNothingKeepsTheCheckpointQuarantinesAndExits3()
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        var first = await _job.RunChargesAsync("ingest", "--run-id", "clean", "--mode", "full", "--to", (end - (5 * 86_400)).ToString(System.Globalization.CultureInfo.InvariantCulture), "--rules", "none");
        Assert.True(first.Code == 0, first.Error + first.Output);
        var table = new LakeTable(new LocalLakeStorage(Lake), "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
        var before = await table.Log.ReadSnapshotAsync();
        var checkpoint = await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges");
        var rules = Path.Combine(_job.Folder, "blocking.yaml");
        await File.WriteAllTextAsync(rules, "rules:\n  - type: non_negative\n    column: amount\n    severity: error\n    blocking: true\n");

        var (code, output, error) = await _job.RunChargesAsync("ingest", "--run-id", "blocked", "--rules", rules);

        Assert.True(code == 3, $"exit {code}: {error}\n{output}");
        var after = await table.Log.ReadSnapshotAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Files.Keys.Order(), after.Files.Keys.Order());
        // No file of the blocked run is left in the table's partitions.
        var tableFolder = Path.Combine(Lake, "raw", "stripe", "charges");
        var parquet = Directory.GetFiles(tableFolder, "*.parquet", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(tableFolder, f).Replace('\\', '/'));
        Assert.Equal(before.Files.Keys.Order(), parquet.Order());
        var unchanged = await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges");
        Assert.Equal(checkpoint!.Version, unchanged!.Version);
        Assert.Equal(checkpoint.Cursor, unchanged.Cursor);

        var report = (await new SqliteStateStore(State).GetQualityReportAsync("blocked"))!;
        Assert.Equal(QualityOutcomes.Blocked, report.Outcome);
        Assert.Equal("raw/stripe/charges/_staging/blocked", report.Quarantine);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Lake, report.Quarantine!), "*.jsonl.gz", SearchOption.AllDirectories));
        Assert.Contains("Blocked by data quality: non_negative_amount", error + output, StringComparison.Ordinal);
        Assert.Equal("blocked", JobSandbox.Lines(output).Single(l => l.GetProperty("event").GetString() == "dq").GetProperty("outcome").GetString());

        // Blocked runs are no baseline for anomalies, and the next run fetches the same window again.
        Assert.Equal(["clean"], (await new SqliteStateStore(State).QualityReportsAsync("stripe", "charges", 10, committedOnly: true)).Select(r => r.RunId));
        var next = await _job.RunChargesAsync("ingest", "--run-id", "after", "--rules", "none");
        Assert.True(next.Code == 0, next.Error + next.Output);
        Assert.Equal(checkpoint.Cursor - 600, JobSandbox.Lines(next.Output).First(l => l.TryGetProperty("from", out _)).GetProperty("from").GetInt64());
    }
}
