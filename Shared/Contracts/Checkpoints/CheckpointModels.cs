using OpsConsole.Shared.State;

namespace OpsConsole.Shared.Checkpoints;

/// <summary>A stream's checkpoint as the Checkpoints page shows it.</summary>
public sealed record CheckpointStatus
{
    public required string Source { get; init; }

    public required string Stream { get; init; }

    /// <summary>Unix seconds; null: never synced (the next run is a full sync).</summary>
    public long? Cursor { get; init; }

    public long Version { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public string? UpdatedBy { get; init; }

    public string? Reason { get; init; }

    /// <summary>Now minus the cursor.</summary>
    public TimeSpan? Lag { get; init; }

    public string? ActiveRunId { get; init; }

    /// <summary>A job started outside the console that holds the stream.</summary>
    public string? HeldBy { get; init; }

    public string? LastRunId { get; init; }

    public string? LastRunState { get; init; }

    public DateTimeOffset? LastRunEndedAt { get; init; }
}

/// <summary>What an administrator asks for: reset to empty, set the cursor to a time, or restore an earlier version.</summary>
public enum CheckpointAction
{
    Reset,
    Set,
    Restore,
}

/// <summary>
/// A checkpoint change. <see cref="ExpectedVersion"/> is the version the administrator saw: if the checkpoint moved
/// since, nothing is written. <see cref="Confirm"/> must be the stream's name, typed.
/// </summary>
public sealed record CheckpointChange
{
    public CheckpointAction? Action { get; init; }

    /// <summary>For <see cref="CheckpointAction.Set"/>: the new cursor (whole seconds; the next run reads from it minus the lookback).</summary>
    public DateTimeOffset? Cursor { get; init; }

    /// <summary>For <see cref="CheckpointAction.Restore"/>: the version whose cursor comes back.</summary>
    public long? Version { get; init; }

    public long? ExpectedVersion { get; init; }

    public string? Confirm { get; init; }

    public string? Reason { get; init; }
}

/// <summary>What a change would do: the cursor now and after, and the window the next incremental run would fetch.</summary>
public sealed record CheckpointPreview
{
    public long? CurrentCursor { get; init; }

    public long CurrentVersion { get; init; }

    /// <summary>Null: empty, the next run is a full sync.</summary>
    public long? ProposedCursor { get; init; }

    /// <summary>Null with a full sync: the window starts at the source's oldest object.</summary>
    public long? NextFrom { get; init; }

    public long NextTo { get; init; }

    public long? EstimatedRecords { get; init; }

    public TimeSpan? EstimatedDuration { get; init; }

    /// <summary>How the estimate was made, or why there is none.</summary>
    public required string EstimateBasis { get; init; }
}

/// <summary>The stream has an active run (or a job holds it): checkpoints do not change under a running job.</summary>
public sealed class CheckpointLockedException(string message, string? runId) : Exception(message)
{
    public string? RunId { get; } = runId;
}

/// <summary>Checkpoints for the console: browse, history, preview and change (Admin).</summary>
public interface ICheckpointService
{
    Task<IReadOnlyList<CheckpointStatus>> ListAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default);

    Task<CheckpointPreview> PreviewAsync(string source, string stream, CheckpointChange change, CancellationToken cancellationToken = default);

    Task<Checkpoint> ChangeAsync(string source, string stream, CheckpointChange change, Auth.CallerInfo caller, CancellationToken cancellationToken = default);
}
