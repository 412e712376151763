using System.Security.Cryptography;
using System.Text;
using OpsConsole.Server.Notifications;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Schedules;

/// <summary>
/// One pass of the scheduler (the leader console runs it every second): decide each schedule's fire times that came
/// due, then launch the due fires the streams allow.
/// <para>Rules. A fire time is decided once: its row and the schedule's <c>fired_through</c> move in one conditional
/// write. A fire time seen within <see cref="Grace"/> of its time is on time; older ones passed while no scheduler ran,
/// and the catch-up policy picks which of those still launch (none; the latest; the latest N, one after another).
/// Fires of a schedule launch oldest first, each after its jitter. A due fire that finds its stream busy follows the
/// overlap policy: <c>skip</c> records it skipped; <c>queue</c> waits (one fire at most: later ones are skipped);
/// <c>cancel</c> asks the running run to stop and launches when the stream is free. Catch-up fires always wait their
/// turn. A fire is claimed (pending to launching) by a conditional update before its launch, so two schedulers on one
/// database cannot both launch it.</para>
/// </summary>
internal sealed class Scheduler(SqliteScheduleStore store, IRunStore runs, IRunService launcher, WebhookNotifier notifier, TimeProvider time, ILogger<Scheduler> logger)
{
    /// <summary>A fire time first seen later than this after it was missed (the console was down, or no console was the scheduler).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    /// <summary>A claim older than this is a scheduler that stopped while launching; the fire is recorded as failed.</summary>
    public static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(2);

    /// <summary>Missed fire times recorded one by one after a long gap (the newest); the notification counts them all.</summary>
    public const int MaxMissedRows = 1000;

    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        var schedules = await store.ListAsync(cancellationToken);
        foreach (var schedule in schedules.Where(schedule => schedule.Definition.Enabled))
        {
            await DecideAsync(schedule, time.GetUtcNow(), cancellationToken);
        }
        var byName = schedules.ToDictionary(schedule => schedule.Definition.Name, schedule => schedule.Definition, StringComparer.Ordinal);
        foreach (var fires in (await store.OpenFiresAsync(cancellationToken)).GroupBy(fire => fire.Schedule, StringComparer.Ordinal))
        {
            if (byName.TryGetValue(fires.Key, out var definition))
            {
                await LaunchAsync(definition, [.. fires], cancellationToken);
            }
        }
    }

    /// <summary>The delay of a fire time within the schedule's jitter: the same for a given schedule and time, whichever console computes it.</summary>
    public static TimeSpan Jitter(string schedule, DateTimeOffset fireAt, int jitterSeconds)
    {
        if (jitterSeconds <= 0)
        {
            return TimeSpan.Zero;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{schedule}@{fireAt.ToUnixTimeMilliseconds()}"));
        return TimeSpan.FromMilliseconds(BitConverter.ToUInt32(hash, 0) % ((uint)jitterSeconds * 1000 + 1));
    }

    private async Task DecideAsync(StoredSchedule schedule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var definition = schedule.Definition;
        var cron = CronSchedule.Parse(definition.Cron, definition.TimeZone);
        // After a long gap only the newest fire times matter: keep a bounded tail and a count.
        var tail = new Queue<DateTimeOffset>();
        var count = 0;
        DateTimeOffset? first = null;
        foreach (var at in cron.Between(schedule.FiredThrough, now))
        {
            first ??= at;
            count++;
            tail.Enqueue(at);
            if (tail.Count > MaxMissedRows + ScheduleService.MaxCatchUp)
            {
                tail.Dequeue();
            }
        }
        if (count == 0)
        {
            return;
        }
        var times = tail.ToList();
        var late = times.Where(at => now - at > Grace).ToList();
        // Latest: the newest missed fire time launches unless one on time does now (an incremental run covers both).
        var launching = definition.CatchUp switch
        {
            CatchUpPolicies.All => definition.CatchUpLimit,
            CatchUpPolicies.Latest when late.Count == times.Count => 1,
            _ => 0,
        };
        var caughtUp = late.TakeLast(launching).ToHashSet();
        var fires = times.Select(at => new ScheduleFire
        {
            Schedule = definition.Name,
            FireAt = at,
            DueAt = at + Jitter(definition.Name, at, definition.JitterSeconds),
            Outcome = now - at <= Grace || caughtUp.Contains(at) ? FireOutcomes.Pending : FireOutcomes.Missed,
            CatchUp = caughtUp.Contains(at),
            Detail = now - at <= Grace || caughtUp.Contains(at) ? null : $"passed while no console was scheduling (catch-up {definition.CatchUp})",
            UpdatedAt = now,
        }).ToList();
        var missed = fires.Where(fire => fire.Outcome == FireOutcomes.Missed).ToList();
        if (!await store.DecideAsync(definition.Name, schedule.FiredThrough, now, [.. fires.TakeLast(MaxMissedRows)], cancellationToken))
        {
            return;
        }
        var missedCount = missed.Count + (count - times.Count);
        if (missedCount > 0)
        {
            logger.LogWarning("Schedule {Schedule}: {Count} fire time(s) from {First:u} to {Last:u} passed while no console was scheduling; catch-up {CatchUp} launches {Launching}",
                definition.Name, missedCount, first, missed.Count > 0 ? missed[^1].FireAt : first, definition.CatchUp, caughtUp.Count);
            await notifier.NotifyAsync(NotificationEvents.ScheduleMissed, definition.Name, new
            {
                schedule = definition.Name, source = definition.Source, stream = definition.Stream, reason = "not_scheduling", count = missedCount,
                first, last = missed.Count > 0 ? missed[^1].FireAt : first, fireTimes = missed.TakeLast(20).Select(fire => fire.FireAt), catchUp = definition.CatchUp,
                caughtUp = caughtUp.Order(),
            }, cancellationToken);
        }
    }

    private async Task LaunchAsync(ScheduleDefinition definition, IReadOnlyList<ScheduleFire> open, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (open.FirstOrDefault(fire => fire.Outcome == FireOutcomes.Launching) is { } claimed)
        {
            // Another scheduler is launching it, or one stopped half-way: the run may or may not exist, so it is not launched again.
            if (now - claimed.UpdatedAt > StaleClaim)
            {
                await SettleAsync(claimed, FireOutcomes.Launching, FireOutcomes.Failed, null, "the scheduler stopped while launching it; see the runs list", cancellationToken);
            }
            return;
        }
        if (!definition.Enabled)
        {
            foreach (var fire in open)
            {
                await SettleAsync(fire, FireOutcomes.Pending, FireOutcomes.Skipped, null, "the schedule was paused before it launched", cancellationToken);
            }
            return;
        }
        var due = open.Where(fire => fire.DueAt <= now).ToList();
        if (due.Count == 0)
        {
            return;
        }
        // Of the on-time fires waiting, only one may: the oldest (queue) or the newest (cancel and skip, which replace the run).
        var onTime = due.Where(fire => !fire.CatchUp).ToList();
        var keep = definition.Overlap == OverlapPolicies.Queue ? onTime.FirstOrDefault() : onTime.LastOrDefault();
        foreach (var superseded in onTime.Where(fire => fire != keep))
        {
            await SkipAsync(definition, superseded, "a later fire time of the schedule replaced it", cancellationToken);
        }
        var head = due.First(fire => fire.CatchUp || fire == keep);
        var active = await runs.ActiveRunAsync(definition.Source, definition.Stream, cancellationToken);
        if (active is not null)
        {
            await OverlapAsync(definition, head, active, cancellationToken);
            return;
        }
        if (!await store.SettleAsync(definition.Name, head.FireAt, FireOutcomes.Pending, FireOutcomes.Launching, null, null, now, cancellationToken))
        {
            return;
        }
        try
        {
            var run = await launcher.LaunchAsync(new LaunchRequest
                {
                    Source = definition.Source, Stream = definition.Stream, Mode = definition.Mode, Workers = definition.Workers, Retries = definition.Retries,
                    RetryBackoffSeconds = definition.RetryBackoffSeconds,
                },
                new CallerInfo(ScheduleCallers.Of(definition.Name), ConsoleRole.Operator, "schedule"), cancellationToken);
            await SettleAsync(head, FireOutcomes.Launching, FireOutcomes.Launched, run.Id, null, cancellationToken);
            logger.LogInformation("Schedule {Schedule}: fire time {FireAt:u} launched run {RunId}", definition.Name, head.FireAt, run.Id);
        }
        catch (StreamBusyException)
        {
            // Someone launched on the stream in between: the next pass applies the overlap policy.
            await SettleAsync(head, FireOutcomes.Launching, FireOutcomes.Pending, null, null, cancellationToken);
        }
        catch (StoreUnavailableException exception)
        {
            logger.LogWarning("Schedule {Schedule}: fire time {FireAt:u} waits, the store failed: {Error}", definition.Name, head.FireAt, exception.Message);
            await SettleAsync(head, FireOutcomes.Launching, FireOutcomes.Pending, null, null, CancellationToken.None);
        }
        catch (Exception exception) when (exception is InvalidFieldException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.LogError("Schedule {Schedule}: fire time {FireAt:u} was refused: {Error}", definition.Name, head.FireAt, exception.Message);
            await SettleAsync(head, FireOutcomes.Launching, FireOutcomes.Failed, null, $"the launch was refused: {exception.Message}", cancellationToken);
            await NotifyAsync(definition, head, "launch_refused", exception.Message, cancellationToken);
        }
    }

    private async Task OverlapAsync(ScheduleDefinition definition, ScheduleFire head, RunInfo active, CancellationToken cancellationToken)
    {
        if (head.CatchUp || definition.Overlap == OverlapPolicies.Queue)
        {
            return;
        }
        if (definition.Overlap == OverlapPolicies.Skip)
        {
            await SkipAsync(definition, head, $"the stream was busy with run {active.Id}", cancellationToken);
            return;
        }
        if (active.State != RunState.Cancelling)
        {
            logger.LogInformation("Schedule {Schedule}: fire time {FireAt:u} cancels run {RunId} (overlap: cancel)", definition.Name, head.FireAt, active.Id);
            try
            {
                await launcher.CancelAsync(active.Id, force: false, new CallerInfo(ScheduleCallers.Of(definition.Name), ConsoleRole.Operator, "schedule"), cancellationToken);
            }
            catch (RunStateConflictException)
            {
                // It ended meanwhile: the next pass launches.
            }
        }
    }

    private async Task SkipAsync(ScheduleDefinition definition, ScheduleFire fire, string why, CancellationToken cancellationToken)
    {
        if (await store.SettleAsync(definition.Name, fire.FireAt, FireOutcomes.Pending, FireOutcomes.Skipped, null, why, time.GetUtcNow(), cancellationToken))
        {
            logger.LogWarning("Schedule {Schedule}: fire time {FireAt:u} skipped: {Why}", definition.Name, fire.FireAt, why);
            await NotifyAsync(definition, fire, "overlap_skipped", why, cancellationToken);
        }
    }

    private Task NotifyAsync(ScheduleDefinition definition, ScheduleFire fire, string reason, string detail, CancellationToken cancellationToken) =>
        notifier.NotifyAsync(NotificationEvents.ScheduleMissed, definition.Name, new
        {
            schedule = definition.Name, source = definition.Source, stream = definition.Stream, reason, detail, count = 1, first = fire.FireAt, last = fire.FireAt,
            fireTimes = new[] { fire.FireAt },
        }, cancellationToken);

    private Task<bool> SettleAsync(ScheduleFire fire, string from, string to, string? runId, string? detail, CancellationToken cancellationToken) =>
        store.SettleAsync(fire.Schedule, fire.FireAt, from, to, runId, detail, time.GetUtcNow(), cancellationToken);
}
