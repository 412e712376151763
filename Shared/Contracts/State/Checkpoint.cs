namespace OpsConsole.Shared.State;

/// <summary>
/// The incremental cursor of one source stream: the high-water mark of <c>created</c> (unix seconds; null: never
/// synced, the next run is a full sync) at a version that grows by one with every write.
/// </summary>
public sealed record Checkpoint(string Source, string Stream, long? Cursor, long Version, DateTimeOffset UpdatedAt, string UpdatedBy, string Reason);

/// <summary>One version of a checkpoint, as history keeps it.</summary>
public sealed record CheckpointVersion(long Version, long? Cursor, long? PreviousCursor, DateTimeOffset UpdatedAt, string UpdatedBy, string Reason);

/// <summary>Who holds a stream (one active run per stream) and until when, unless renewed.</summary>
public sealed record StreamLease(string Source, string Stream, string Holder, DateTimeOffset ExpiresAt);

/// <summary>A <c>created</c> slice [From, To) a run has fully written to staging.</summary>
public sealed record CompletedSlice(long From, long To, long Records);

/// <summary>A <c>created</c> range [From, To) of a run's window: one unit of work in the run's slice queue.</summary>
public readonly record struct SliceRange(long From, long To);

/// <summary>A slice an executor now holds until its lease ends; <see cref="TakenOverFrom"/> names the holder whose lease had run out.</summary>
public sealed record SliceClaim(long From, long To, string? TakenOverFrom);

/// <summary>Where a run's slice queue stands: slices queued in all, finished, held under a live lease, records fetched.</summary>
public sealed record SliceQueueStatus(int Total, int Done, int Held, long Records)
{
    public bool Finished => Total > 0 && Done == Total;
}
