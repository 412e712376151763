namespace OpsConsole.Shared.Jobs;

/// <summary>Exit codes of the ingestion job, which the console turns into a run's outcome.</summary>
public static class JobExitCodes
{
    public const int Ok = 0;
    public const int InvalidArguments = 2;
    public const int BlockedByQualityRule = 3;
    public const int SourceFailed = 4;
    public const int StoreFailed = 5;
    public const int Cancelled = 130;

    /// <summary>128 + SIGTERM: the process was stopped by the signal before the job's own handler ran (early in its start).</summary>
    public const int Terminated = 143;

    /// <summary>SIGKILL's status (128 + 9): kill -9, a pod killed at the end of its grace period, or the kernel's out-of-memory killer.</summary>
    public const int Killed = 137;

    /// <summary>What an exit code means, for a run's failure reason.</summary>
    public static string Describe(int code) => code switch
    {
        Ok => "succeeded",
        InvalidArguments => "invalid arguments",
        BlockedByQualityRule => "blocked by a data-quality rule",
        SourceFailed => "the source failed after retries",
        StoreFailed => "the lake or checkpoint store failed",
        Cancelled => "cancelled",
        Terminated => "terminated by SIGTERM",
        Killed => "killed by SIGKILL",
        _ => $"exited with code {code}",
    };
}
