namespace OpsConsole.Shared.Runs;

/// <summary>One run as the console shows it.</summary>
public sealed record RunInfo
{
    public required string Id { get; init; }

    public required string Source { get; init; }

    public required string Stream { get; init; }

    /// <summary><c>incremental</c> or <c>full</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The requested window start (unix seconds), or null for "from the checkpoint".</summary>
    public long? From { get; init; }

    /// <summary>The requested window end, exclusive (unix seconds), or null for "now minus the safety lag".</summary>
    public long? To { get; init; }

    public required int Workers { get; init; }

    public required RunState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public required string LaunchedBy { get; init; }

    public string? CancelledBy { get; init; }

    public DateTimeOffset? CancelRequestedAt { get; init; }

    /// <summary>The job did not stop within the grace period (or an admin forced it) and was killed.</summary>
    public bool Forced { get; init; }

    public int? ExitCode { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>How many times the job was started for this run (1 unless it was retried).</summary>
    public int Attempts { get; init; }

    /// <summary>The most attempts the run may take: 1 plus the retries it was launched with (<see cref="RetryPolicy"/>).</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>The wait before the first retry; each later one waits twice as long as the one before (at most an hour).</summary>
    public int RetryBackoffSeconds { get; init; } = RetryPolicy.DefaultBackoffSeconds;

    /// <summary>When a run waiting for its next attempt (Pending after a retryable failure) starts it; null otherwise.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    public RunProgress Progress { get; init; } = RunProgress.None;

    /// <summary>The data-quality outcome the job reported (passed, warned, failed, blocked), or null before its rules ran.</summary>
    public string? Quality { get; init; }

    /// <summary>What the run used, from the job's last report (null before its first).</summary>
    public Costs.RunUsage? Usage { get; init; }

    /// <summary>What the run cost, priced when it ended (null while it runs).</summary>
    public Costs.RunCost? Cost { get; init; }

    /// <summary>The capacity the run asked for, <c>on-demand</c> or <c>spot</c>; null: the runner's and the price table's default.</summary>
    public string? Capacity { get; init; }

    /// <summary>The CPU and memory the run asked for (Kubernetes quantities); null: the runner's defaults.</summary>
    public string? Cpu { get; init; }

    public string? Memory { get; init; }

    /// <summary>Executor pods fetching the run's slices (Kubernetes); 1: the driver fetches them itself.</summary>
    public int Executors { get; init; } = 1;

    /// <summary>The runner that started its job (<c>local</c>, <c>kubernetes</c>); null before it started.</summary>
    public string? Runner { get; init; }

    /// <summary>The run's pods on Kubernetes as last seen (null for other runners, and before the first is seen).</summary>
    public IReadOnlyList<RunPod>? Pods { get; init; }

    /// <summary>Wall time from start to end (or to now while active).</summary>
    public TimeSpan? Duration(DateTimeOffset now) => StartedAt is { } started ? (EndedAt ?? now) - started : null;

    /// <summary>Average records per second over the run (the live rate is in <see cref="RunProgress.RecordsPerSecond"/>).</summary>
    public double? AverageRecordsPerSecond(DateTimeOffset now) =>
        Duration(now) is { TotalSeconds: > 0.5 } duration ? Progress.Records / duration.TotalSeconds : null;
}

/// <summary>What the job last reported; <see cref="SlicesTotal"/> is 0 until the job has planned its window.</summary>
public sealed record RunProgress(long Records, long Pages, long Bytes, long RateLimited, long Retries, double RecordsPerSecond,
    int SlicesDone, int SlicesTotal, DateTimeOffset? UpdatedAt)
{
    public static RunProgress None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, null);

    /// <summary>The window the job planned (unix seconds, [from, to)): what "from the checkpoint" turned out to be; null before the plan.</summary>
    public long? PlannedFrom { get; init; }

    public long? PlannedTo { get; init; }

    /// <summary>The latest round of a first run's search for its start, as the job reported it; null when it did not search.</summary>
    public string? Planning { get; init; }

    /// <summary>The share of the window's slices fetched, 0 to 1, or null before the plan is known.</summary>
    public double? Fraction => SlicesTotal > 0 ? Math.Clamp((double)SlicesDone / SlicesTotal, 0, 1) : null;
}
