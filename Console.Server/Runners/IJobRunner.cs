namespace OpsConsole.Server.Runners;

/// <summary>
/// Starts and stops the job of a run and hands over what it writes. What a runner does underneath (a child process,
/// a Kubernetes Job) stays behind the <see cref="JobHandle"/> and the output position, which are opaque to callers:
/// the run store keeps both, so a console that restarts re-attaches to its jobs and resumes their output.
/// </summary>
internal interface IJobRunner
{
    /// <summary>The runner's kind, as <c>Runner:Kind</c> names it and <see cref="JobHandle.Kind"/> records it.</summary>
    string Kind { get; }

    /// <summary>Starts the job; its handle is what every other call takes.</summary>
    Task<JobHandle> StartAsync(JobSpec spec, CancellationToken cancellationToken);

    /// <summary>Whether the job still runs, and once it has ended, its exit code (null when it was killed) and why.</summary>
    Task<JobStatus> StatusAsync(JobHandle handle, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the job to stop. A positive <paramref name="grace"/> is a graceful stop (the job may finish its step
    /// within that time); <see cref="TimeSpan.Zero"/> stops it at once, with everything it started.
    /// </summary>
    Task StopAsync(JobHandle handle, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>
    /// The job's output lines after <paramref name="position"/> (<see cref="JobOutput.Start"/>: from the beginning), as
    /// they come, until the job has ended and its output has been read to the end. Works for a job started by an
    /// earlier console process too.
    /// </summary>
    IAsyncEnumerable<JobOutput> FollowAsync(JobHandle handle, string position, CancellationToken cancellationToken);

    /// <summary>The job has ended and its output is in the run's log: what the runner kept of it can go.</summary>
    Task ReleaseAsync(JobHandle handle, CancellationToken cancellationToken);

    /// <summary>
    /// The jobs this runner's platform still has for the console, by run id, found without stored handles (a restarted
    /// console reconciles them with its runs: a job whose handle it never stored, a job left running for an ended run).
    /// </summary>
    Task<IReadOnlyDictionary<string, JobHandle>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A started job: the runner that started it and the job's id there (opaque to everyone but that runner).</summary>
public sealed record JobHandle(string Kind, string Id);

/// <summary>A job's state as its runner sees it.</summary>
internal sealed record JobStatus(bool Running, int? ExitCode, string? Reason)
{
    public static JobStatus Alive { get; } = new(true, null, null);
}

/// <summary>What to start: the job's arguments, its environment (the only place secrets go) and the run's folder.</summary>
internal sealed record JobSpec(string RunId, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string Folder)
{
    /// <summary>The run's record, for runners that label what they start with it (the Kubernetes Job's labels).</summary>
    public Shared.Runs.RunInfo? Run { get; init; }

    /// <summary>The arguments of the run's executors (<c>execute ...</c>) when it has more than one; null: none.</summary>
    public IReadOnlyList<string>? ExecutorArguments { get; init; }
}

/// <summary>
/// Complete output lines and the position just after them: a token only the runner reads (no spaces or line breaks),
/// kept with the log so following resumes there.
/// </summary>
internal sealed record JobOutput(IReadOnlyList<string> Lines, string Position)
{
    /// <summary>The run's pods, when the runner has them and they changed (Kubernetes: phase, node, capacity, reason).</summary>
    public IReadOnlyList<Shared.Runs.RunPod>? Pods { get; init; }

    /// <summary>The position before the first line.</summary>
    public const string Start = "";
}
