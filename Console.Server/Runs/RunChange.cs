namespace OpsConsole.Server.Runs;

/// <summary>Columns written together with a state change; null leaves a column as it is.</summary>
internal sealed record RunChange
{
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? CancelledBy { get; init; }

    public DateTimeOffset? CancelRequestedAt { get; init; }

    public bool? Forced { get; init; }

    public int? ExitCode { get; init; }

    public string? FailureReason { get; init; }

    public bool AddAttempt { get; init; }

    /// <summary>When the run's next attempt starts (a run going back to Pending after a retryable failure); every other change clears it.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>The run's cost, written with the state change that ends it.</summary>
    public Shared.Costs.RunCost? Cost { get; init; }
}

