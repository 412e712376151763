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
        Assert.Contains(lines, line => line.Event == "slice" && line.Source.StartsWith("executor-", StringComparison.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(console.DataPath, "lake", "raw", "stripe", "charges", "_delta_log")));
        // The job read its key from the environment; it is nowhere in the log.
        Assert.DoesNotContain(lines, line => line.Text.Contains("sk_live_sandbox", StringComparison.Ordinal));
    }
}
