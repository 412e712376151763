using System.Text.Json;
using OpsConsole.Server.Notifications;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Validation;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Server.Checkpoints;

/// <summary>
/// Browse checkpoints and change them safely. A change needs the Admin role, the stream's name typed, a reason and
/// the version the administrator saw; it is refused while the stream has an active run or a job holds it. While
/// the new version is written the console holds the stream's lease in the state store, and a launch that starts
/// in that moment backs out (see <see cref="RunLauncher"/>), so no job reads the old cursor and commits after the
/// change. Every change is audited and notified.
/// </summary>
internal sealed class CheckpointService(
    IStateStore state,
    IRunStore runs,
    IAuditLog audit,
    WebhookNotifier notifier,
    TimeProvider time,
    ILogger<CheckpointService> logger) : ICheckpointService
{
    /// <summary>The lease holder while a checkpoint change is written (the run id part, as the job's holders have).</summary>
    public const string LeaseHolderRun = RunLeases.CheckpointChange;

    public const string Source = StreamCatalog.Stripe;

    /// <summary>What the console launches the job with: the window of the next incremental run follows from these.</summary>
    public const long LookbackSeconds = StreamCatalog.LookbackSeconds;

    public const long SafetyLagSeconds = StreamCatalog.SafetyLagSeconds;

    private const int MaxReasonLength = 500;

    public async Task<IReadOnlyList<CheckpointStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var stored = (await state.ListCheckpointsAsync(cancellationToken)).ToDictionary(c => (c.Source, c.Stream));
        var recent = await runs.ListAsync(500, cancellationToken: cancellationToken) ?? [];
        var streams = StreamCatalog.Names().Select(s => (Source, s)).Union(stored.Keys).Order();
        var list = new List<CheckpointStatus>();
        foreach (var (source, stream) in streams)
        {
            var checkpoint = stored.GetValueOrDefault((source, stream));
            var mine = recent.Where(r => r.Source == source && r.Stream == stream).ToList();
            var active = mine.FirstOrDefault(r => r.State.IsActive());
            var last = mine.FirstOrDefault(r => !r.State.IsActive());
            var lease = active is null ? await state.GetLeaseAsync(source, stream, cancellationToken) : null;
            list.Add(new CheckpointStatus
            {
                Source = source,
                Stream = stream,
                Cursor = checkpoint?.Cursor,
                Version = checkpoint?.Version ?? 0,
                UpdatedAt = checkpoint?.UpdatedAt,
                UpdatedBy = checkpoint?.UpdatedBy,
                Reason = checkpoint?.Reason,
                Lag = checkpoint?.Cursor is { } cursor ? now - DateTimeOffset.FromUnixTimeSeconds(cursor) : null,
                ActiveRunId = active?.Id,
                HeldBy = lease?.Holder.Split('@')[0],
                LastRunId = last?.Id,
                LastRunState = last?.State.ToString(),
                LastRunEndedAt = last?.EndedAt,
            });
        }
        return list;
    }

    public async Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        Known(source, stream);
        return await state.HistoryAsync(source, stream, cancellationToken);
    }

    public async Task<CheckpointPreview> PreviewAsync(string source, string stream, CheckpointChange change, CancellationToken cancellationToken = default)
    {
        Known(source, stream);
        var current = await state.GetCheckpointAsync(source, stream, cancellationToken);
        var proposed = await ProposedCursorAsync(source, stream, change, cancellationToken);
        var to = time.GetUtcNow().ToUnixTimeSeconds() - SafetyLagSeconds;
        long? from = proposed is { } cursor ? cursor - LookbackSeconds : null;
        var (records, duration, basis) = await EstimateAsync(source, stream, from, to, cancellationToken);
        return new CheckpointPreview
        {
            CurrentCursor = current?.Cursor,
            CurrentVersion = current?.Version ?? 0,
            ProposedCursor = proposed,
            NextFrom = from,
            NextTo = to,
            EstimatedRecords = records,
            EstimatedDuration = duration,
            EstimateBasis = basis,
        };
    }

    public async Task<Checkpoint> ChangeAsync(string source, string stream, CheckpointChange change, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Admin)
        {
            throw new UnauthorizedAccessException("Changing a checkpoint needs the Admin role.");
        }
        Known(source, stream);
        var (action, expected, reason) = Validate(stream, change);
        var cursor = await ProposedCursorAsync(source, stream, change, cancellationToken);
        var auditAction = action switch
        {
            CheckpointAction.Reset => AuditActions.CheckpointReset,
            CheckpointAction.Set => AuditActions.CheckpointSet,
            _ => AuditActions.CheckpointRestore,
        };
        var target = $"{source}/{stream}";

        // Refused under a running job, and a launch cannot start while the change is written: hold the stream first,
        // then look for an active run (a launch inserts its run first, then looks at the lease).
        var holder = $"{LeaseHolderRun}@{caller.Name}:{Guid.NewGuid():N}";
        try
        {
            await AcquireAsync(source, stream, holder, cancellationToken);
        }
        catch (StreamLeaseHeldException held)
        {
            var job = held.Holder?.Holder.Split('@')[0];
            await AuditRefusedAsync(caller, auditAction, target, change, reason, $"refused: held by {job}", cancellationToken);
            throw new CheckpointLockedException($"{target} is held by job run {job}: checkpoints do not change while a job runs.", job);
        }
        try
        {
            if (await runs.ActiveRunAsync(source, stream, cancellationToken) is { } active)
            {
                await AuditRefusedAsync(caller, auditAction, target, change, reason, $"refused: run {active.Id} is active", cancellationToken);
                throw new CheckpointLockedException($"{target} has an active run, {active.Id}: cancel it or wait for it to end first.", active.Id);
            }
            var before = await state.GetCheckpointAsync(source, stream, cancellationToken);
            Checkpoint written;
            try
            {
                written = await state.WriteCheckpointAsync(source, stream, cursor, expected, caller.Name,
                    $"{auditAction.Split('.')[1]} by {caller.Name}: {reason}", cancellationToken);
            }
            catch (CheckpointConflictException conflict)
            {
                await AuditRefusedAsync(caller, auditAction, target, change, reason, $"conflict: version {conflict.Actual}, not {expected}", cancellationToken);
                throw;
            }
            await AnnounceAsync(caller, auditAction, before, written, reason);
            return written;
        }
        finally
        {
            await state.ReleaseLeaseAsync(source, stream, holder, CancellationToken.None);
        }
    }

    /// <summary>
    /// Holds the stream for a change. Another change holding it is waited for (a few seconds at most): this one then
    /// finds the version moved and is refused as stale (409 with the current version), not as a busy stream.
    /// </summary>
    private async Task AcquireAsync(string source, string stream, string holder, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await state.AcquireLeaseAsync(source, stream, holder, TimeSpan.FromSeconds(30), cancellationToken);
                return;
            }
            catch (StreamLeaseHeldException held) when (attempt < 50 && held.Holder?.Holder.StartsWith(LeaseHolderRun + "@", StringComparison.Ordinal) == true)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>The change's action, the version it was decided on, the stream's name typed and a reason, each named when wrong.</summary>
    private static (CheckpointAction Action, long Expected, string Reason) Validate(string stream, CheckpointChange change)
    {
        var action = change.Action ?? throw new InvalidFieldException("action", "is required: reset, set or restore.");
        if (change.ExpectedVersion is not { } expected || expected < 0)
        {
            throw new InvalidFieldException("expectedVersion", "is required: the version the change was decided on (0 when there is no checkpoint yet).");
        }
        if (!string.Equals(change.Confirm?.Trim(), stream, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("confirm", $"type the stream's name, '{stream}', to confirm.");
        }
        var reason = change.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength)
        {
            throw new InvalidFieldException("reason", $"is required: why the checkpoint changes (at most {MaxReasonLength} characters).");
        }
        return (action, expected, reason);
    }

    /// <summary>The change is made: the log, the audit entry and the webhook say so, and none of them can turn it into an error.</summary>
    private async Task AnnounceAsync(CallerInfo caller, string auditAction, Checkpoint? before, Checkpoint written, string reason)
    {
        var target = $"{written.Source}/{written.Stream}";
        logger.LogWarning("Checkpoint {Target}: {Action} by {User} to {Cursor} (version {Version}): {Reason}",
            target, auditAction, caller.Name, written.Cursor, written.Version, reason);
        try
        {
            await audit.AppendAsync(new AuditEntry
            {
                Actor = caller.Name,
                Action = auditAction,
                Target = target,
                Stream = target,
                Before = Json(before?.Cursor, before?.Version ?? 0),
                After = Json(written.Cursor, written.Version),
                Reason = reason,
            }, CancellationToken.None);
        }
        catch (StoreUnavailableException exception)
        {
            // The warning above and this error hold what the entry would have said.
            logger.LogError(exception, "The audit entry for {Action} of {Target} (version {Version}) could not be written", auditAction, target, written.Version);
        }
        try
        {
            await notifier.NotifyAsync(auditAction, target, new
            {
                source = written.Source, stream = written.Stream, action = auditAction, by = caller.Name, reason,
                before = new { cursor = before?.Cursor, version = before?.Version ?? 0 },
                after = new { cursor = written.Cursor, version = written.Version },
            }, CancellationToken.None);
        }
        catch (StoreUnavailableException exception)
        {
            logger.LogError(exception, "The notification of {Action} of {Target} could not be queued", auditAction, target);
        }
    }

    private async Task<long?> ProposedCursorAsync(string source, string stream, CheckpointChange change, CancellationToken cancellationToken)
    {
        switch (change.Action)
        {
            case CheckpointAction.Reset:
                return null;
            case CheckpointAction.Set:
                if (change.Cursor is not { } at)
                {
                    throw new InvalidFieldException("cursor", "is required to set the cursor: the time the next run reads from.");
                }
                if (at > time.GetUtcNow())
                {
                    throw new InvalidFieldException("cursor", $"{at:u} is in the future: records created after now cannot have been ingested.");
                }
                if (at.ToUnixTimeSeconds() < 0)
                {
                    throw new InvalidFieldException("cursor", "must not be before 1970-01-01.");
                }
                return at.ToUnixTimeSeconds();
            case CheckpointAction.Restore:
                if (change.Version is not { } version)
                {
                    throw new InvalidFieldException("version", "is required to restore: the version whose cursor comes back.");
                }
                var history = await state.HistoryAsync(source, stream, cancellationToken);
                return history.FirstOrDefault(h => h.Version == version) is { } found ? found.Cursor
                    : throw new InvalidFieldException("version", $"{source}/{stream} has no version {version} (it has 1 to {history.Count}).");
            default:
                throw new InvalidFieldException("action", "is required: reset, set or restore.");
        }
    }

    /// <summary>
    /// Records and time of the next run from the runs that wrote the last checkpoints: records per second of
    /// <c>created</c> window, and the run's own records/s.
    /// </summary>
    private async Task<(long? Records, TimeSpan? Duration, string Basis)> EstimateAsync(string source, string stream, long? from, long to, CancellationToken cancellationToken)
    {
        if (from is null)
        {
            return (null, null, "A full sync reads everything the source has, from its oldest object: no estimate.");
        }
        if (to <= from)
        {
            return (0, TimeSpan.Zero, "The window is empty: the cursor is within the safety lag of now.");
        }
        var history = await state.HistoryAsync(source, stream, cancellationToken);
        double window = 0, records = 0, seconds = 0;
        var used = 0;
        // Only incremental runs tell the arrival rate: a full sync (or a run given its own window) fetched far more than
        // the stretch its checkpoint moved over, and rating it as that stretch overstated estimates many times over.
        foreach (var version in history.Where(h => h.Cursor is not null && h.PreviousCursor is not null && h.Cursor > h.PreviousCursor).Take(20))
        {
            if (await runs.GetAsync(version.UpdatedBy, cancellationToken) is { State: RunState.Succeeded, Progress.Records: > 0, Mode: "incremental", From: null } run
                && run.Duration(time.GetUtcNow()) is { TotalSeconds: > 0 } took)
            {
                window += version.Cursor!.Value - version.PreviousCursor!.Value + LookbackSeconds;
                records += run.Progress.Records;
                seconds += took.TotalSeconds;
                if (++used == 5)
                {
                    break;
                }
            }
        }
        if (used == 0)
        {
            return (null, null, "No estimate: no earlier incremental run of this stream to go by.");
        }
        var estimated = (long)Math.Round(records / window * (to - from.Value));
        var duration = TimeSpan.FromSeconds(Math.Round(estimated / Math.Max(1, records / seconds)));
        return (estimated, duration, $"From the last {used} incremental run(s) of this stream: {records:0} records arrived in {Duration(window)} of window "
            + $"({records / window * 3600:0.#} an hour), fetched at {records / seconds:0} records/s.");
    }

    private static string Duration(double seconds) => seconds >= 86_400 ? $"{seconds / 86_400:0.#} days" : seconds >= 3600 ? $"{seconds / 3600:0.#} hours" : $"{seconds / 60:0} minutes";

    private async Task AuditRefusedAsync(CallerInfo caller, string action, string target, CheckpointChange change, string reason, string outcome, CancellationToken cancellationToken)
    {
        var current = await state.GetCheckpointAsync(target.Split('/')[0], target.Split('/')[1], cancellationToken);
        await audit.AppendAsync(new AuditEntry
        {
            Actor = caller.Name,
            Action = action,
            Target = target,
            Stream = target,
            Before = Json(current?.Cursor, current?.Version ?? 0),
            After = JsonSerializer.Serialize(new { requested = change.Action?.ToString().ToLowerInvariant(), cursor = change.Cursor, version = change.Version, expectedVersion = change.ExpectedVersion }),
            Reason = reason,
            Outcome = outcome,
        }, CancellationToken.None);
    }

    private static string Json(long? cursor, long version) => JsonSerializer.Serialize(new { cursor, version });

    private static void Known(string source, string stream)
    {
        if (StreamCatalog.Find(source, stream) is null)
        {
            throw new KeyNotFoundException($"There is no stream {source}/{stream}; the streams are {string.Join(", ", StreamCatalog.All)}.");
        }
    }
}
