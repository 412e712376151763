using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>The default configuration end to end: the console starts the real SparkJobs against its embedded Sandbox.</summary>
public sealed class RealJobTests
{
    [Fact]
    public async Task Launch_DefaultJobAgainstEmbeddedSandbox_SucceedsWithEveryCharge()
    {
        using var console = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Sandbox:Charges"] = "400", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0" });
        using var client = console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.FailureReason}\n{string.Join('\n', lines.Select(line => line.Text))}");
        Assert.Equal(400, run.Progress.Records);
        Assert.Contains(lines, line => line.Event == "summary" && line.Source == "driver");
        // The plan line's window is kept on the run: an open window shows as the one the job planned.
        var plan = Assert.Single(lines, line => line.Event == "plan");
        Assert.Contains($"created in [{run.Progress.PlannedFrom}, {run.Progress.PlannedTo})", plan.Msg, StringComparison.Ordinal);
        Assert.True(run.Progress.PlannedTo > run.Progress.PlannedFrom);
        // A full sync searched for the oldest charge: each round is a planning line, and the run keeps the last one.
        var rounds = lines.Where(line => line.Event == "planning").ToList();
        Assert.NotEmpty(rounds);
        Assert.Equal(rounds[^1].Msg, run.Progress.Planning);
        Assert.StartsWith("Planning: the oldest charges object was created in [", run.Progress.Planning, StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Event == "slice" && line.Source.StartsWith("executor-", StringComparison.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(console.DataPath, "lake", "raw", "stripe", "charges", "_delta_log")));
        // The job read its key from the environment; it is nowhere in the log.
        Assert.DoesNotContain(lines, line => line.Text.Contains("sk_live_sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Launch_WithConfiguredRules_ABlockingRuleBlocksTheRunAndAWrongFileNamesTheRuleAndKey()
    {
        var rules = Directory.CreateTempSubdirectory("opsconsole-rules-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(rules, "charges.yaml"), "rules:\n  - type: row_count_between\n    max: 10\n    blocking: true\n");
            await File.WriteAllTextAsync(Path.Combine(rules, "customers.yaml"), "rules:\n  - type: not_null\n    column: emial\n");
            using var console = ConsoleAppFactory.With(new Dictionary<string, string?>
            {
                ["Sandbox:Charges"] = "200", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0", ["Quality:RulesPath"] = rules,
            });
            using var client = console.BasicClient("operator");

            var blocked = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);

            Assert.Equal((RunState.Failed, 3, "blocked"), (blocked.State, blocked.ExitCode, blocked.Quality));
            Assert.Contains("row_count_between", blocked.FailureReason, StringComparison.Ordinal);
            var report = await client.GetStringAsync(new Uri($"/api/runs/{blocked.Id}/quality", UriKind.Relative));
            Assert.Contains("\"outcome\":\"blocked\"", report, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(console.DataPath, "lake", "raw", "stripe", "charges", "_delta_log")));

            var wrong = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "customers", mode = "full" })).Id, seconds: 120);

            Assert.Equal((RunState.Failed, 2), (wrong.State, wrong.ExitCode));
            var lines = await AllLogLinesAsync(client, wrong.Id);
            Assert.Contains(lines, line => line.Text.Contains("rule 'not_null_emial'", StringComparison.Ordinal) && line.Text.Contains("key 'column'", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(rules, recursive: true);
        }
    }

    [Fact]
    public async Task FailedRuleWithARoute_IsSentToThatRoute_WithItsFiguresIdsAndALink_AndNeverItsValues()
    {
        var rules = Directory.CreateTempSubdirectory("opsconsole-rules-").FullName;
        await using var team = await WebhookReceiver.StartAsync();
        try
        {
            await File.WriteAllTextAsync(Path.Combine(rules, "charges.yaml"),
                "rules:\n  - type: allowed_values\n    column: currency\n    values: [usd]\n    max_fraction: 0.1\n    notify: payments-team\n" +
                "  - type: not_null\n    column: id\n    notify: payments-team\n");
            using var console = ConsoleAppFactory.With(new Dictionary<string, string?>
            {
                ["Sandbox:Charges"] = "200", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0", ["Quality:RulesPath"] = rules,
                ["Notifications:Routes:payments-team"] = team.Url, ["Notifications:ConsoleUrl"] = "https://opsconsole.example.com/",
                ["Notifications:BackoffSeconds"] = "0.05",
            });
            using var client = console.BasicClient("operator");

            var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);

            Assert.Equal((RunState.Succeeded, "warned"), (run.State, run.Quality));
            var notice = Assert.Single(await team.ReceivedAsync(1));
            Assert.Equal("quality.rule_failed", notice.GetProperty("event").GetString());
            var data = notice.GetProperty("data");
            Assert.Equal(("allowed_values_currency", run.Id, $"https://opsconsole.example.com/runs/{run.Id}"),
                (data.GetProperty("rule").GetString(), data.GetProperty("runId").GetString(), data.GetProperty("runUrl").GetString()));
            Assert.True(data.GetProperty("observed").GetDouble() > 0.1);
            Assert.Equal(0.1, data.GetProperty("upper").GetDouble());
            var ids = data.GetProperty("sampleIds").EnumerateArray().Select(id => id.GetString()!).ToList();
            Assert.NotEmpty(ids);
            Assert.All(ids, id => Assert.StartsWith("ch_", id, StringComparison.Ordinal));
            foreach (var currency in new[] { "\"eur\"", "\"gbp\"", "\"jpy\"" })
            {
                Assert.DoesNotContain(currency, notice.GetRawText(), StringComparison.Ordinal);
            }
            await Task.Delay(500);
            Assert.Single(await team.ReceivedAsync(1)); // the passing rule sends nothing
        }
        finally
        {
            Directory.Delete(rules, recursive: true);
        }
    }
}
