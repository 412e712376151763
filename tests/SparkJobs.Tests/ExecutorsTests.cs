using System.Diagnostics;
using System.Text;
using OpsConsole.Shared.State;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// A run with executors, as real processes on one SQLite state file and one lake folder: the driver
/// (<c>ingest --executors 3</c>) queues the slices and waits, three <c>execute</c> processes fetch them; the table ends
/// equal to the Sandbox's truth, every id once, also when an executor is killed mid-run (its slices are taken over when
/// their leases run out).
/// </summary>
public sealed class ExecutorsTests : IAsyncLifetime
{
    private JobSandbox _job = default!;

    // 20,000 charges over 20 days, 20 ms a request: slices cut small enough that every executor gets several.
    public async Task InitializeAsync() => _job = await JobSandbox.StartAsync("executors", o => (o.Charges, o.Days, o.LatencyMs) = (20_000, 20, 20));

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DriverAndThreeExecutors_TableEqualsTheTruth_EvenWhenAnExecutorIsKilled(bool killOne)
    {
        using var driver = Job.Start(_job, "ingest", "exec-run", ["--mode", "full", "--executors", "3"]);
        var executors = Enumerable.Range(0, 3).Select(i => Job.Start(_job, "execute", "exec-run", ["--executor", $"{i}", "--executors", "3"])).ToList();
        try
        {
            if (killOne)
            {
                await executors[1].WaitForAsync("Slice ", TimeSpan.FromSeconds(60));
                executors[1].Process.Kill();
            }
            var (code, output) = await driver.EndAsync(TimeSpan.FromMinutes(3));
            var ends = await Task.WhenAll(executors.Select(e => e.EndAsync(TimeSpan.FromMinutes(1))));

            Assert.True(code == 0, $"driver exit {code}\n{output}\n{string.Join('\n', ends.Select(e => e.Output))}");
            Assert.Contains("slices queued for 3 executors", output, StringComparison.Ordinal);
            Assert.Equal(killOne ? [0, 137, 0] : [0, 0, 0], ends.Select(e => e.Code));
            Assert.All(ends.Where((_, i) => !killOne || i != 1), e => Assert.Contains("\"source\":\"executor-", e.Output, StringComparison.Ordinal));
            if (killOne)
            {
                Assert.Contains(ends, e => e.Output.Contains("taken over from executor-1/", StringComparison.Ordinal));
            }
            var store = StateStores.Open(_job.State);
            using (store as IDisposable)
            {
                var checkpoint = await store.GetCheckpointAsync("stripe", "charges");
                await ChargesTruth.AssertTableEqualsAsync(_job.Admin, _job.Lake, checkpoint!.Cursor!.Value);
                Assert.True((await store.SliceQueueAsync("stripe", "charges", "exec-run")).Finished);
            }
        }
        finally
        {
            foreach (var process in executors.Append(driver).Where(p => !p.Process.HasExited))
            {
                process.Process.Kill();
            }
        }
    }

    /// <summary>A job process with its output collected as it comes.</summary>
    private sealed class Job : IDisposable
    {
        private readonly StringBuilder _output = new();

        private Job(Process process) => Process = process;

        public Process Process { get; }

        public static Job Start(JobSandbox sandbox, string command, string runId, string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll"), command, "--stream", "charges", "--run-id", runId,
                         "--api-base", sandbox.Sandbox.BaseAddress.ToString(), "--lake", sandbox.Lake, "--state", sandbox.State, "--workers", "2",
                         "--requests-per-second", "3000", "--slice-lease-seconds", "5", .. command == "ingest" ? ["--safety-lag-seconds", "0", "--max-slice-pages", "5"] : (string[])["--max-slice-pages", "5"],
                         .. args])
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["STRIPE_SECRET_KEY"] = "sk_live_sandbox";
            var job = new Job(Process.Start(start)!);
            job.Process.OutputDataReceived += (_, line) => job.Append(line.Data);
            job.Process.ErrorDataReceived += (_, line) => job.Append(line.Data);
            job.Process.BeginOutputReadLine();
            job.Process.BeginErrorReadLine();
            return job;
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }

        public async Task WaitForAsync(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline && !Process.HasExited, $"no '{text}' in:\n{Output}");
                await Task.Delay(50);
            }
        }

        public async Task<(int Code, string Output)> EndAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            await Process.WaitForExitAsync(cancel.Token);
            Process.WaitForExit();
            return (Process.ExitCode, Output);
        }

        public void Dispose() => Process.Dispose();
    }
}
