using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpsConsole.SparkJobs.Ingest;
using Xunit.Abstractions;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// The job as a real process, killed with SIGKILL at random points (a random page, a random slice, a random table
/// file, a random moment from outside) and at the narrow ones (after the commit, after the checkpoint), then run
/// again: the table must end up equal to the Sandbox's truth, every id once, field by field.
/// The seed is printed; set <c>CRASH_TEST_SEED</c> to replay a sequence. Run on each pair of stores (folder and
/// SQLite; S3 and DynamoDB).
/// </summary>
public abstract class CrashRecoverySpec(ITestOutputHelper console) : IAsyncLifetime
{
    private const int Killed = 137; // 128 + SIGKILL

    private readonly List<string> _history = [];

    protected JobSandbox Job { get; private set; } = default!;

    private string Lake => Job.Lake;

    private string State => Job.State;

    /// <summary>The lake and state-store URIs of the runs (null: a folder and a SQLite file of the sandbox's).</summary>
    protected abstract (string? Lake, string? State) Stores();

    // 40,000 charges over 40 days: 400 pages, 40 ms a request; enough work left for every planned kill.
    public async Task InitializeAsync()
    {
        var (lake, state) = Stores();
        Job = await JobSandbox.StartAsync("crash", o => (o.Charges, o.Days, o.LatencyMs) = (40_000, 40, 40), lake, state);
    }

    public async Task DisposeAsync() => await Job.DisposeAsync();

    [Fact]
    public async Task KilledAtRandomPoints_RerunsEndWithTheSourcesTruthExactlyOnce()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CRASH_TEST_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        console.WriteLine($"CRASH_TEST_SEED={seed}");
        var random = new Random(seed);
        var kills = 0;

        // Run 1, a full sync with small slices that get split: killed during extraction, staging, writing and commit.
        string[] full = ["--mode", "full", "--safety-lag-seconds", "0", "--workers", "4", "--max-slice-pages", "3"];
        for (var i = 0; i < 3; i++)
        {
            kills += await AttemptAsync("run-1", full, crashAt: null, killAfterFirstSlice: TimeSpan.FromMilliseconds(random.Next(0, 300))) ? 1 : 0;
        }
        foreach (var point in new[]
        {
            $"{CrashPoints.PageStaged}:{random.Next(1, 9)}", $"{CrashPoints.SliceRecorded}:{random.Next(1, 7)}",
            $"{CrashPoints.PageStaged}:{random.Next(1, 9)}", $"{CrashPoints.SliceRecorded}:{random.Next(1, 7)}",
            $"{CrashPoints.PageStaged}:{random.Next(1, 9)}",
            CrashPoints.Staged, $"{CrashPoints.FileWritten}:{random.Next(1, 30)}", CrashPoints.Committed,
        })
        {
            kills += await AttemptAsync("run-1", full, point) ? 1 : 0;
        }
        var (code, output) = await RunToEndAsync("run-1", full);
        Assert.True(code == 0, Explain($"exit {code}\n{output}"));
        Assert.Contains("already committed", output, StringComparison.Ordinal);
        Assert.True(_history.Exists(h => h.Contains("took over a dead holder's lease", StringComparison.Ordinal)), Explain("no rerun took over the lease of a killed attempt"));
        var checkpoint = await CheckpointAsync();
        Assert.Equal(1, checkpoint!.Version);
        await AssertTableEqualsTruthAsync(checkpoint.Cursor!.Value);

        // The source changes: refunds of charges already in the table, new charges.
        var truth = await TruthAsync(checkpoint.Cursor.Value);
        var refunds = 0;
        foreach (var id in truth.Where(t => t.GetProperty("status").GetString() == "succeeded" && t.GetProperty("amount_refunded").GetInt64() == 0)
                     .Select(t => t.GetProperty("id").GetString()))
        {
            using var response = await Job.Admin.PostAsync(new Uri($"/_sandbox/charges/{id}/refund", UriKind.Relative), null);
            if (response.IsSuccessStatusCode && ++refunds == 5)
            {
                break; // uncaptured charges cannot be refunded (400): the next one is taken
            }
        }
        (await Job.Admin.PostAsync(new Uri("/_sandbox/charges?count=30", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Task.Delay(1100);

        // Run 2, incremental: killed while staging, before the commit, and between the checkpoint and the clean-up.
        string[] incremental = ["--safety-lag-seconds", "0", "--workers", "4"];
        foreach (var point in new[] { $"{CrashPoints.PageStaged}:1", CrashPoints.Staged, $"{CrashPoints.FileWritten}:1", CrashPoints.Checkpointed })
        {
            kills += await AttemptAsync("run-2", incremental, point) ? 1 : 0;
        }
        (code, output) = await RunToEndAsync("run-2", incremental);
        Assert.True(code == 0, Explain($"exit {code}\n{output}"));
        checkpoint = await CheckpointAsync();
        Assert.Equal(2, checkpoint!.Version);
        Assert.Equal("run-2", checkpoint.UpdatedBy);
        await AssertTableEqualsTruthAsync(checkpoint.Cursor!.Value);

        // Run 3 reads a window that overlaps everything run 1 and run 2 wrote: still each id once.
        (code, output) = await RunToEndAsync("run-3", ["--from", (checkpoint.Cursor.Value - (5 * 86_400)).ToString(CultureInfo.InvariantCulture),
            "--to", checkpoint.Cursor.Value.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(code == 0, Explain($"exit {code}\n{output}"));
        await AssertTableEqualsTruthAsync(checkpoint.Cursor.Value);

        Assert.True(kills >= 10, Explain($"only {kills} attempts were killed"));
        var lake = LakeStorages.Open(Lake);
        using (lake as IDisposable)
        {
            var staging = await lake.ListAsync("raw/stripe/charges/_staging");
            Assert.True(staging.Count == 0, $"staging is deleted after each run: {string.Join(", ", staging)}");
        }
        console.WriteLine(string.Join('\n', _history));
    }

    /// <summary>
    /// One attempt that is meant to die; true when it did die of SIGKILL (false: it finished first). With
    /// <paramref name="killAfterFirstSlice"/> the test kills it from outside that long after it reports its first
    /// finished slice: a random moment inside the extraction, whatever the machine's speed.
    /// </summary>
    protected async Task<bool> AttemptAsync(string runId, string[] args, string? crashAt, TimeSpan? killAfterFirstSlice = null)
    {
        using var process = Start(runId, args, crashAt);
        var errors = process.StandardError.ReadToEndAsync();
        var received = new System.Text.StringBuilder();
        var buffer = new char[8192];
        Task? killing = null;
        int read;
        while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            received.Append(buffer, 0, read);
            if (killAfterFirstSlice is { } delay && killing is null && received.ToString().Contains("\"event\":\"slice\"", StringComparison.Ordinal))
            {
                killing = Task.Delay(delay).ContinueWith(_ => process.Kill(), TaskScheduler.Default); // SIGKILL
            }
        }
        await process.WaitForExitAsync();
        await (killing ?? Task.CompletedTask).ContinueWith(_ => { }, TaskScheduler.Default); // the process may have ended first
        var output = received.ToString();
        // A kill can cut the line being written: the last complete line tells where the job was.
        var complete = output[..(output.LastIndexOf('\n') + 1)];
        var last = complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var lastEvent = last.StartsWith('{') ? JsonDocument.Parse(last).RootElement.GetProperty("event").GetString() : last;
        if (complete.Length < output.Length)
        {
            lastEvent += " (a line cut short by the kill)";
        }
        _history.Add($"{runId} {crashAt ?? $"kill {killAfterFirstSlice?.TotalMilliseconds} ms after the first slice"}: exit {process.ExitCode}, last event {lastEvent}"
                     + (output.Contains("taking the lease over", StringComparison.Ordinal) ? " (took over a dead holder's lease)" : ""));
        if (process.ExitCode is not Killed and not 0)
        {
            Assert.Fail(Explain($"attempt exited {process.ExitCode}: {await errors}\n{output}"));
        }
        return process.ExitCode == Killed;
    }

    protected async Task<(int Code, string Output)> RunToEndAsync(string runId, string[] args)
    {
        using var process = Start(runId, args, crashAt: null);
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        _history.Add($"{runId} to the end: exit {process.ExitCode}");
        return (process.ExitCode, output + errors);
    }

    protected Process Start(string runId, string[] args, string? crashAt)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll"), "ingest", "--stream", "charges", "--run-id", runId,
                     "--api-base", Job.Sandbox.BaseAddress.ToString(), "--lake", Lake, "--state", State, .. args])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["STRIPE_SECRET_KEY"] = "sk_live_sandbox";
        start.Environment.Remove(CrashPoints.Variable);
        if (crashAt is not null)
        {
            start.Environment[CrashPoints.Variable] = crashAt;
        }
        return Process.Start(start)!;
    }

    private string Explain(string message) => $"{message}\nattempts:\n{string.Join('\n', _history)}";

    protected async Task<Shared.State.Checkpoint?> CheckpointAsync()
    {
        var store = StateStores.Open(State);
        using (store as IDisposable)
        {
            return await store.GetCheckpointAsync("stripe", "charges");
        }
    }

    protected Task AssertTableEqualsTruthAsync(long cursor) => ChargesTruth.AssertTableEqualsAsync(Job.Admin, Lake, cursor, Explain);

    protected Task<List<JsonElement>> TruthAsync(long cursor) => ChargesTruth.ReadAsync(Job.Admin, cursor);
}
