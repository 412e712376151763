namespace OpsConsole.Shared.Audit;

/// <summary>One notification and what became of it: the delivery log.</summary>
public sealed record WebhookDelivery(
    long Id,
    string Event,
    string Subject,
    DateTimeOffset CreatedAt,
    int Attempts,
    string Status,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    string? Route = null);

/// <summary>The events the webhook hears of.</summary>
public static class NotificationEvents
{
    public const string RunFailed = "run.failed";

    /// <summary>A run with automatic retries failed on its last attempt with a failure another attempt could have got past (sent with <c>run.failed</c>).</summary>
    public const string RunRetriesExhausted = "run.retries_exhausted";

    /// <summary>A run failed in a way another attempt can get past and waits for its next attempt.</summary>
    public const string RunRetrying = "run.retrying";
    public const string RunCancelled = "run.cancel";
    public const string RunForceCancelled = "run.force_cancel";
    public const string CheckpointReset = "checkpoint.reset";
    public const string CheckpointSet = "checkpoint.set";
    public const string CheckpointRestored = "checkpoint.restore";

    /// <summary>A run's data-quality rules failed with an error rule (the run committed) or a blocking one (it did not).</summary>
    public const string QualityFailed = "quality.failed";

    /// <summary>The month's cost reached a budget level: near (the alert share), forecast_over, over.</summary>
    public const string CostBudget = "cost.budget";

    /// <summary>A schedule's fire time did not launch a run: it passed while no scheduler ran, the overlap policy skipped it, or the launch was refused.</summary>
    public const string ScheduleMissed = "schedule.missed";

    /// <summary>A data-quality rule that names a route (<c>notify</c>) failed: sent to that route.</summary>
    public const string QualityRuleFailed = "quality.rule_failed";
}
