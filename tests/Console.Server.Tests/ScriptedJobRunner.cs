using System.Globalization;
using OpsConsole.Server.Runners;

namespace OpsConsole.Server.Tests;

/// <summary>
/// An in-process stand-in for SparkJobs behind the runner seam, speaking the job's JSON lines; its behaviour follows
/// <c>--stream</c>, as <c>Jobs/fake-job.sh</c> does for the tests of the real local runner:
/// <list type="bullet">
/// <item><c>charges</c> succeeds after a slice, progress, a plain line, a line quoting its secret key and a "warned" dq line
/// (with <c>--workers 3</c> a blocking rule fails instead: a "blocked" dq line, exit 3); with <c>--from N</c> (N ≥ 1000)
/// it first writes N lines, about 5,000 a second;</item>
/// <item><c>customers</c> runs until stopped (at most about a minute), then exits 130 (with <c>--workers 13</c> it ignores a
/// graceful stop and must be killed);</item>
/// <item><c>refunds</c> fails: an error line, exit 4.</item>
/// </list>
/// </summary>
internal sealed class ScriptedJobRunner : IJobRunner
{
    public Task<IReadOnlyDictionary<string, JobHandle>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, JobHandle>>(new Dictionary<string, JobHandle>());

    private readonly FakeJobRunner _jobs = new();

    public string Kind => _jobs.Kind;

    public async Task<JobHandle> StartAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var handle = await _jobs.StartAsync(spec, cancellationToken);
        var job = _jobs.Job(spec.RunId);
        _ = Task.Run(() => RunAsync(job), CancellationToken.None);
        return handle;
    }

    public Task<JobStatus> StatusAsync(JobHandle handle, CancellationToken cancellationToken) => _jobs.StatusAsync(handle, cancellationToken);

    public Task StopAsync(JobHandle handle, TimeSpan grace, CancellationToken cancellationToken) => _jobs.StopAsync(handle, grace, cancellationToken);

    public IAsyncEnumerable<JobOutput> FollowAsync(JobHandle handle, string position, CancellationToken cancellationToken) =>
        _jobs.FollowAsync(handle, position, cancellationToken);

    public Task ReleaseAsync(JobHandle handle, CancellationToken cancellationToken) => _jobs.ReleaseAsync(handle, cancellationToken);

    private static async Task RunAsync(FakeJob job)
    {
        var spec = job.Spec;
        var run = Argument(spec, "--run-id") ?? "";
        var workers = Argument(spec, "--workers") ?? "8";
        switch (Argument(spec, "--stream"))
        {
            case "charges":
                await ChargesAsync(job, run, workers, long.Parse(Argument(spec, "--from") ?? "0", CultureInfo.InvariantCulture));
                break;
            case "customers":
                job.IgnoresGracefulStop = workers == "13";
                for (var i = 1; i <= 600 && !job.Ended; i++)
                {
                    job.Write(Line("info", "progress", $"{i} ticks", $",\"records\":{i}"));
                    await Task.Delay(100);
                }
                job.End(0);
                break;
            case "refunds":
                job.Write(Line("info", "log", $"Run {run} starting"), Line("error", "log", "Source failed after 8 retries: HTTP 500 from /v1/refunds"));
                job.End(4);
                break;
            default:
                job.Write($"unknown stream {Argument(spec, "--stream")}");
                job.End(2);
                break;
        }
    }

    private static async Task ChargesAsync(FakeJob job, string run, string workers, long from)
    {
        job.Write(Line("info", "log", $"Run {run} starting"));
        for (var i = 1L; from >= 1000 && i <= from; i++)
        {
            job.Write($$"""{"level":"info","source":"executor-{{(i % 4) + 1}}","event":"log","msg":"line {{i}}"}""");
            if (i % 1000 == 0)
            {
                await Task.Delay(200);
            }
        }
        job.Write(Line("info", "slice", "Slice done", ",\"records\":100", source: "executor-1"));
        if (workers == "3")
        {
            job.Write(Line("error", "dq", "Data quality blocked: 1 of 3 rules failed", ",\"outcome\":\"blocked\",\"rules\":3,\"failed\":1,\"failed_rules\":[\"non_negative_amount\"]"),
                Line("error", "log", "Blocked by data quality: non_negative_amount. Nothing was committed and the checkpoint did not move"));
            job.End(3);
            return;
        }
        job.Write(
            Line("info", "progress", "100 records", ",\"records\":100,\"pages\":1,\"bytes\":5000,\"rate_limited\":2,\"retries\":1,\"records_per_second\":50.5"),
            "plain text from the runtime",
            Line("warn", "log", $"key in use: {job.Spec.Environment.GetValueOrDefault("STRIPE_SECRET_KEY")}"),
            Line("warn", "dq", "Data quality warned: 1 of 3 rules failed", ",\"outcome\":\"warned\",\"rules\":3,\"failed\":1,\"failed_rules\":[\"not_null_currency\"]"),
            Line("info", "summary", $"Run {run} succeeded",
                ",\"records\":150,\"pages\":2,\"bytes\":7500,\"rate_limited\":2,\"retries\":1,\"cpu_seconds\":1.5,\"peak_rss_bytes\":104857600,\"lake_puts\":12,\"lake_gets\":30,\"state_writes\":9,\"state_reads\":4,\"table_bytes\":1073741824"));
        job.End(0);
    }

    private static string Line(string level, string @event, string msg, string extra = "", string source = "driver") =>
        $$"""{"ts":"{{DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture)}}","level":"{{level}}","source":"{{source}}","event":"{{@event}}","msg":"{{msg}}"{{extra}}}""";

    private static string? Argument(JobSpec spec, string name)
    {
        var index = spec.Arguments.ToList().IndexOf(name);
        return index >= 0 && index + 1 < spec.Arguments.Count ? spec.Arguments[index + 1] : null;
    }
}
