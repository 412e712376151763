namespace OpsConsole.Shared.Audit;

/// <summary>
/// One thing someone did in the console, as it was recorded: who, when, what (an action on a target), the state
/// before and after (JSON, secrets never included), why, and how it ended. Entries are only ever appended.
/// </summary>
public sealed record AuditEntry
{
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>The user (or API key owner) who acted; for a failed sign-in, the name that was tried.</summary>
    public required string Actor { get; init; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }

    /// <summary>What was acted on: a run id, <c>source/stream</c>, an API key id, a user name.</summary>
    public required string Target { get; init; }

    /// <summary><c>source/stream</c> when the action concerns a stream (runs and checkpoints), for filtering.</summary>
    public string? Stream { get; init; }

    public string? Before { get; init; }

    public string? After { get; init; }

    public string? Reason { get; init; }

    /// <summary><c>ok</c>, or what went wrong (refused, conflict, failed).</summary>
    public string Outcome { get; init; } = "ok";
}

/// <summary>The actions the audit log records.</summary>
public static class AuditActions
{
    public const string RunLaunch = "run.launch";
    public const string RunCancel = "run.cancel";
    public const string RunForceCancel = "run.force_cancel";
    public const string CheckpointReset = "checkpoint.reset";
    public const string CheckpointSet = "checkpoint.set";
    public const string CheckpointRestore = "checkpoint.restore";
    public const string TableCompact = "table.compact";
    public const string TableVacuum = "table.vacuum";
    public const string TableCleanLog = "table.clean_log";
    public const string ApiKeyCreate = "api_key.create";
    public const string ApiKeyRevoke = "api_key.revoke";
    public const string SignInFailed = "sign_in.failed";
    public const string UserUnlock = "user.unlock";
    public const string ScheduleCreate = "schedule.create";
    public const string ScheduleUpdate = "schedule.update";
    public const string SchedulePause = "schedule.pause";
    public const string ScheduleResume = "schedule.resume";
    public const string ScheduleDelete = "schedule.delete";
    public const string BackfillCreate = "backfill.create";
    public const string BackfillPause = "backfill.pause";
    public const string BackfillResume = "backfill.resume";
    public const string BackfillCancel = "backfill.cancel";
    public const string QualityRulesSave = "quality.rules_save";

    public static IReadOnlyList<string> All { get; } =
        [RunLaunch, RunCancel, RunForceCancel, CheckpointReset, CheckpointSet, CheckpointRestore, ApiKeyCreate, ApiKeyRevoke, SignInFailed, UserUnlock,
         ScheduleCreate, ScheduleUpdate, SchedulePause, ScheduleResume, ScheduleDelete, BackfillCreate, BackfillPause, BackfillResume, BackfillCancel,
         QualityRulesSave];
}

/// <summary>Which entries to read: every filter is optional; newest first, at most <see cref="Limit"/>.</summary>
public sealed record AuditQuery
{
    public string? Actor { get; init; }

    public string? Action { get; init; }

    /// <summary><c>source/stream</c>.</summary>
    public string? Stream { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Entries with an id below this (the next page after the last entry seen).</summary>
    public long? Before { get; init; }

    /// <summary>Entries to skip (a grid's page index times its page size).</summary>
    public int Offset { get; init; }

    /// <summary>Oldest first instead of newest first.</summary>
    public bool OldestFirst { get; init; }

    public int Limit { get; init; } = 200;
}

/// <summary>The append-only audit log.</summary>
public interface IAuditLog
{
    Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>How many entries match the query's filters (its paging ignored).</summary>
    Task<int> CountAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
