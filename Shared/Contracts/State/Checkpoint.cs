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
