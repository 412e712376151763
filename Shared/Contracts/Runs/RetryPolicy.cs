using OpsConsole.Shared.Jobs;

namespace OpsConsole.Shared.Runs;

/// <summary>
/// Automatic retries of a run. Only failures another attempt can get past are retried: the source failed (exit 4),
/// a store failed (exit 5), or the job was stopped from outside the console (a pod evicted or drained, a spot node
/// reclaimed: SIGTERM's exit 130 or 143; kill -9's 137) or vanished without an exit status (its pod or node lost).
/// Never invalid arguments (2), blocked data quality (3), a deadline, running out of memory (the runner says
/// OOMKilled), any other exit, or a cancel. A retry starts the job
/// again under the same run id, so the job resumes: finished slices are not fetched again and nothing commits twice.
/// </summary>
public static class RetryPolicy
{
    public const int MaxRetries = 9;
    public const int DefaultBackoffSeconds = 60;
    public const int MaxBackoffSeconds = 3600;

    /// <summary>Whether a job that ended so may be retried (the run was not being cancelled).</summary>
    public static bool IsRetryable(int? exitCode, string? runnerReason) => exitCode switch
    {
        JobExitCodes.SourceFailed or JobExitCodes.StoreFailed or JobExitCodes.Cancelled or JobExitCodes.Terminated => true,
        JobExitCodes.Killed or null => runnerReason is null
                                       || !(runnerReason.Contains("DeadlineExceeded", StringComparison.Ordinal) || runnerReason.Contains("OOMKilled", StringComparison.Ordinal)),
        _ => false,
    };

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): the backoff, doubled for each attempt after the first, at most an hour.</summary>
    public static TimeSpan Delay(int backoffSeconds, int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, backoffSeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 20))));
}

/// <summary>One start of a run's job: when, how it ended, and where its lines begin in the run's log.</summary>
public sealed record RunAttempt
{
    /// <summary>1 for the first start.</summary>
    public required int Attempt { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary><c>succeeded</c>, <c>failed</c> or <c>cancelled</c>; null while it runs.</summary>
    public string? Outcome { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>Why it failed, as the run would say it.</summary>
    public string? Reason { get; init; }

    /// <summary>True when another attempt followed it (its failure was retryable and attempts were left).</summary>
    public bool Retried { get; init; }

    /// <summary>The first line of the run's log that belongs to it (the console's line announcing it).</summary>
    public required long FirstSeq { get; init; }
}
