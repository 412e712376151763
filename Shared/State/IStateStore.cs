namespace OpsConsole.Shared.State;

/// <summary>
/// Checkpoints (with every version kept), stream leases, slice progress and data-quality reports: what the job and the console share.
/// The embedded implementation is SQLite; production uses DynamoDB with the same conditional-write semantics.
/// </summary>
public interface IStateStore
{
    Task<Checkpoint?> GetCheckpointAsync(string source, string stream, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Checkpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version of a checkpoint, newest first.</summary>
    Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a new version when the checkpoint is at <paramref name="expectedVersion"/> (0: none yet); otherwise
    /// throws <see cref="CheckpointConflictException"/> and writes nothing. Returns the new checkpoint.
    /// </summary>
    Task<Checkpoint> WriteCheckpointAsync(string source, string stream, long? cursor, long expectedVersion, string updatedBy, string reason,
        CancellationToken cancellationToken = default);

    /// <summary>Takes the stream for <paramref name="holder"/> for <paramref name="duration"/>, or throws <see cref="StreamLeaseHeldException"/> naming who has it.</summary>
    Task<StreamLease> AcquireLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease the holder still has; false when it expired and someone else took the stream.</summary>
    Task<bool> RenewLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    Task ReleaseLeaseAsync(string source, string stream, string holder, CancellationToken cancellationToken = default);

    /// <summary>The current holder, if the stream is held.</summary>
    Task<StreamLease?> GetLeaseAsync(string source, string stream, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="run"/> finished a slice (idempotent).</summary>
    Task RecordSliceAsync(string source, string stream, string run, CompletedSlice slice, CancellationToken cancellationToken = default);

    /// <summary>The slices <paramref name="run"/> finished, oldest first (a restarted run skips them).</summary>
    Task<IReadOnlyList<CompletedSlice>> CompletedSlicesAsync(string source, string stream, string run, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds slices to a run's queue, which executors in other processes take work from (slices already queued stay as
    /// they are).
    /// </summary>
    Task QueueSlicesAsync(string source, string stream, string run, IReadOnlyList<SliceRange> slices, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes an unfinished slice of the run's queue that nobody holds, or whose holder's lease ran out (a dead
    /// executor's), for <paramref name="lease"/>; null when there is none. Conditional: two executors never hold one
    /// slice at once.
    /// </summary>
    Task<SliceClaim?> ClaimSliceAsync(string source, string stream, string run, string holder, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the holder's lease on a slice; false when the slice is no longer its own (taken over or finished).</summary>
    Task<bool> RenewSliceAsync(string source, string stream, string run, SliceRange slice, string holder, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finishes a held slice in one conditional write: the slice leaves the queue, <paramref name="done"/> (what of it
    /// was fetched, if anything) is recorded as a completed slice and <paramref name="pieces"/> join the queue. False,
    /// with nothing written, when the holder no longer holds it.
    /// </summary>
    Task<bool> FinishSliceAsync(string source, string stream, string run, SliceRange slice, string holder, CompletedSlice? done, IReadOnlyList<SliceRange> pieces,
        CancellationToken cancellationToken = default);

    /// <summary>Where the run's slice queue stands.</summary>
    Task<SliceQueueStatus> SliceQueueAsync(string source, string stream, string run, CancellationToken cancellationToken = default);

    /// <summary>Stores a run's data-quality report (replacing an earlier one of the same run: a rerun judges again).</summary>
    Task SaveQualityReportAsync(Quality.QualityReport report, CancellationToken cancellationToken = default);

    Task<Quality.QualityReport?> GetQualityReportAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>A stream's reports, newest first; <paramref name="committedOnly"/> leaves out blocked runs (the anomaly history).</summary>
    Task<IReadOnlyList<Quality.QualityReport>> QualityReportsAsync(string source, string stream, int limit, bool committedOnly = false,
        CancellationToken cancellationToken = default);
}
