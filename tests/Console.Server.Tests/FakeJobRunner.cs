using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OpsConsole.Server.Runners;

namespace OpsConsole.Server.Tests;

/// <summary>
/// A runner that starts nothing: each "job" is a list of lines the test writes and an exit the test decides. The
/// output position is the number of lines read. One instance can serve consoles in turn (a restart).
/// </summary>
internal sealed class FakeJobRunner : IJobRunner
{
    public Task<IReadOnlyDictionary<string, JobHandle>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, JobHandle>>(new Dictionary<string, JobHandle>());

    private readonly ConcurrentDictionary<string, FakeJob> _jobs = new(StringComparer.Ordinal);

    /// <summary>Every job as it starts.</summary>
    public Channel<FakeJob> Started { get; } = Channel.CreateUnbounded<FakeJob>();

    /// <summary>What a job does when asked to stop gracefully: by default it ends with 130, as SparkJobs does.</summary>
    public bool ObeysGracefulStop { get; set; } = true;

    public string Kind => "fake";

    public FakeJob Job(string runId) => _jobs[runId];

    /// <summary>When set, starting a job fails with this (the runner could not start it).</summary>
    public Exception? StartFailure { get; set; }

    public Task<JobHandle> StartAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        if (StartFailure is { } failure)
        {
            return Task.FromException<JobHandle>(failure);
        }
        var job = new FakeJob(spec);
        _jobs[spec.RunId] = job;
        Started.Writer.TryWrite(job);
        return Task.FromResult(new JobHandle(Kind, spec.RunId));
    }

    public Task<JobStatus> StatusAsync(JobHandle handle, CancellationToken cancellationToken)
    {
        var job = _jobs[handle.Id];
        return Task.FromResult(job.Ended ? new JobStatus(false, job.ExitCode, job.ExitCode is null ? "killed" : null) : JobStatus.Alive);
    }

    public Task StopAsync(JobHandle handle, TimeSpan grace, CancellationToken cancellationToken)
    {
        var job = _jobs[handle.Id];
        job.Stops.Enqueue(grace);
        if (grace == TimeSpan.Zero)
        {
            job.End(null);
        }
        else if (ObeysGracefulStop && !job.IgnoresGracefulStop)
        {
            if (job.ExitOnGracefulStop == 130)
            {
                job.Write("""{"level":"warn","source":"driver","event":"log","msg":"Cancelled"}""");
            }
            job.End(job.ExitOnGracefulStop);
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<JobOutput> FollowAsync(JobHandle handle, string position, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var job = _jobs[handle.Id];
        var read = position.Length == 0 ? 0 : int.Parse(position, CultureInfo.InvariantCulture);
        job.Follows.Enqueue(position);
        while (true)
        {
            var (lines, ended) = job.After(read);
            if (lines.Count > 0)
            {
                read += lines.Count;
                yield return new JobOutput(lines, read.ToString(CultureInfo.InvariantCulture));
                continue;
            }
            if (ended)
            {
                yield break;
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    public Task ReleaseAsync(JobHandle handle, CancellationToken cancellationToken)
    {
        _jobs[handle.Id].Released = true;
        return Task.CompletedTask;
    }
}

/// <summary>One fake job: what it was started with, the lines it has written, how it ended, what it was asked.</summary>
internal sealed class FakeJob(JobSpec spec)
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private bool _ended;

    public JobSpec Spec { get; } = spec;

    public int? ExitCode { get; private set; }

    public bool Ended { get { lock (_lock) { return _ended; } } }

    public bool Released { get; set; }

    /// <summary>This job carries on through a graceful stop (it must be killed).</summary>
    public bool IgnoresGracefulStop { get; set; }

    /// <summary>The exit of a graceful stop: 130 when the job handles it, 143 when the signal ends it before.</summary>
    public int ExitOnGracefulStop { get; set; } = 130;

    /// <summary>The grace period of every stop asked for, in order.</summary>
    public ConcurrentQueue<TimeSpan> Stops { get; } = new();

    /// <summary>The position every follow started from, in order.</summary>
    public ConcurrentQueue<string> Follows { get; } = new();

    public void Write(params string[] lines)
    {
        lock (_lock)
        {
            _lines.AddRange(lines);
        }
    }

    public void End(int? exitCode)
    {
        lock (_lock)
        {
            if (!_ended)
            {
                (_ended, ExitCode) = (true, exitCode);
            }
        }
    }

    public (List<string> Lines, bool Ended) After(int read)
    {
        lock (_lock)
        {
            return ([.. _lines.Skip(read)], _ended);
        }
    }
}
