using System.Diagnostics;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using Xunit.Abstractions;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>The crash drill on a folder lake and a SQLite state store, and what a run does while the source changes or another run holds the stream.</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper console) : CrashRecoverySpec(console)
{
    protected override (string? Lake, string? State) Stores() => (null, null);

    [Fact]
    public async Task ChargesRefundedWhileARunFetches_AreRefundedInTheTableAfterTheNextRun()
    {
        var checkpointBefore = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var first = Start("run-1", ["--mode", "full", "--safety-lag-seconds", "0", "--workers", "2"], crashAt: null);
        var output = new System.Text.StringBuilder();
        var fetching = new TaskCompletionSource();
        first.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.Contains("\"event\":\"slice\"", StringComparison.Ordinal) == true)
            {
                fetching.TrySetResult();
            }
        };
        first.BeginOutputReadLine();
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // Slices go newest first: the newest charges are already in staging when they are refunded.
        var truth = await TruthAsync(checkpointBefore);
        var refunded = new List<string>();
        foreach (var id in truth.Where(t => t.GetProperty("status").GetString() == "succeeded" && t.GetProperty("amount_refunded").GetInt64() == 0)
                     .OrderByDescending(t => t.GetProperty("created").GetInt64()).Select(t => t.GetProperty("id").GetString()!))
        {
            // Uncaptured charges cannot be refunded (400): take the next.
            using var response = await Job.Admin.PostAsync(new Uri($"/_sandbox/charges/{id}/refund", UriKind.Relative), null);
            if (response.IsSuccessStatusCode && refunded.Count < 5)
            {
                refunded.Add(id);
            }
            if (refunded.Count == 5)
            {
                break;
            }
        }
        Assert.Equal(5, refunded.Count);
        await first.WaitForExitAsync();
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}\n{output}");
        await Task.Delay(1100);

        var (code, second) = await RunToEndAsync("run-2", ["--safety-lag-seconds", "0"]);

        Assert.True(code == 0, second);
        var checkpoint = await CheckpointAsync();
        await AssertTableEqualsTruthAsync(checkpoint!.Cursor!.Value);
        var table = new LakeTable(new LocalLakeStorage(Job.Lake), "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
        var rows = (await table.ReadAllAsync()).ToDictionary(r => (string)r[table.IndexOf("id")]!);
        Assert.All(refunded, id => Assert.True((bool)rows[id][table.IndexOf("refunded")]!, $"{id} is not refunded in the table"));
    }

    [Fact]
    public async Task SecondRunOnTheStream_WhileTheFirstRuns_FailsFastNamingIt()
    {
        using var first = Start("run-long", ["--mode", "full", "--workers", "1"], crashAt: null);
        var started = new TaskCompletionSource();
        first.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("\"event\":\"slice\"", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        first.BeginOutputReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var watch = Stopwatch.StartNew();
        using var second = Start("run-second", ["--mode", "full"], crashAt: null);
        var output = await second.StandardOutput.ReadToEndAsync();
        await second.WaitForExitAsync();
        watch.Stop();
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();

        Assert.Equal(2, second.ExitCode);
        Assert.Contains("held by run-long@", output, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the second run took {watch.Elapsed} to give up");
    }
}
