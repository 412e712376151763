using OpsConsole.Server.Runs;

namespace OpsConsole.Server.Runners;

/// <summary>
/// Starts and stops the job of a run and hands over what it writes. The embedded runner uses a child process; on EKS
/// the same contract maps to a SparkApplication and its pods' logs.
/// </summary>
internal interface IJobRunner
{
    /// <summary>Starts the job; its output and exit status go to <see cref="JobSpec.Folder"/>.</summary>
    Task<JobProcess> StartAsync(JobSpec spec, CancellationToken cancellationToken);

    /// <summary>Whether the job is still running (false for a process id that now belongs to something else).</summary>
    bool IsAlive(JobProcess process);

    /// <summary>Asks the job to stop (<paramref name="kill"/>: stops it at once, with everything it started).</summary>
    void Signal(JobProcess process, bool kill);

    /// <summary>
    /// The job's output lines from byte <paramref name="offset"/> on, as they come, until the job has ended and its output
    /// has been read to the end. Works for a job started by an earlier console process too.
    /// </summary>
    IAsyncEnumerable<JobOutput> FollowAsync(string folder, JobProcess process, long offset, CancellationToken cancellationToken);

    /// <summary>The job's exit code once it has ended, or null when it ended without one (killed).</summary>
    int? ExitCode(string folder);
}

/// <summary>What to start: the job's arguments, its environment (the only place secrets go) and the run's folder.</summary>
internal sealed record JobSpec(string RunId, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string Folder);

/// <summary>Complete output lines and the byte offset just after them.</summary>
internal sealed record JobOutput(IReadOnlyList<string> Lines, long Offset);
