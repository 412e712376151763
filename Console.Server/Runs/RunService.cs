using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Checkpoints;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Notifications;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Runs;

/// <summary>
/// The run lifecycle: launch (validate, take the stream, record, start), follow the job's output into the log service
/// and the run's progress, cancel (graceful, then forced after the grace period), finish with the job's outcome, and at
/// start reconcile the runs an earlier console process left active.
/// </summary>
internal sealed class RunService(
    SqliteRunStore store,
    IJobRunner runner,
    LogService logs,
    IStateStore state,
    JobSpecFactory specs,
    IAuditLog audit,
    WebhookNotifier notifier,
    RunMetrics metrics,
    Costs.CostService costs,
    IOptions<RunnerOptions> runnerOptions,
    TimeProvider time,
    ILogger<RunService> logger) : IRunService, IHostedService, IDisposable
{
    private const int MaxFollowFailures = 5;

    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;
    private const int MaxThroughputPoints = 3600;

    private readonly ConcurrentDictionary<string, Task> _followers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<ThroughputPoint>> _throughput = new(StringComparer.Ordinal);

    public event Action<RunInfo>? Changed;

    public TimeSpan CancelGracePeriod => TimeSpan.FromSeconds(runnerOptions.Value.GracePeriodSeconds);

    public Task<IReadOnlyList<RunInfo>> ListAsync(int limit = 500, CancellationToken cancellationToken = default) =>
        store.ListAsync(Math.Clamp(limit, 1, 5000), cancellationToken);

    public Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default) => store.GetAsync(id, cancellationToken);

    public async Task<RunInfo> LaunchAsync(LaunchRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Operator)
        {
            throw new UnauthorizedAccessException("Launching a run needs the Operator role.");
        }
        var launch = LaunchValidator.Validate(request);
        if (specs.Problem is { } problem)
        {
            throw new InvalidFieldException("source", problem);
        }
        // A job started outside the console (the CLI) holds the stream in the state store, not in the run store.
        if (await state.GetLeaseAsync(launch.Source, launch.Stream, cancellationToken) is { } lease
            && await store.ActiveRunAsync(launch.Source, launch.Stream, cancellationToken) is null)
        {
            var holder = lease.Holder.Split('@')[0];
            throw new StreamBusyException(launch.Source, launch.Stream, holder, holder == CheckpointService.LeaseHolderRun
                ? $"{launch.Source}/{launch.Stream}: an administrator is changing the checkpoint; launch again in a moment."
                : $"{launch.Source}/{launch.Stream} is held by job run {holder} (lease until {lease.ExpiresAt:u}), started outside the console.");
        }
        var now = time.GetUtcNow();
        var run = new RunInfo
        {
            Id = NewId(now),
            Source = launch.Source,
            Stream = launch.Stream,
            Mode = launch.Mode,
            From = launch.From,
            To = launch.To,
            Workers = launch.Workers,
            State = RunState.Pending,
            CreatedAt = now,
            LaunchedBy = caller.Name,
        };
        await store.InsertAsync(run, cancellationToken);
        try
        {
            // The run holds the stream in the run store now; an administrator changing the checkpoint took the state
            // store's lease first and then looks for active runs. Whoever comes second backs out.
            if (await state.GetLeaseAsync(launch.Source, launch.Stream, CancellationToken.None) is { } changing
                && changing.Holder.StartsWith(CheckpointService.LeaseHolderRun + "@", StringComparison.Ordinal))
            {
                await FinishAsync(run.Id, RunState.Failed, null, "Not started: an administrator was changing the stream's checkpoint at that moment.",
                    forced: false, notify: false);
                throw new StreamBusyException(launch.Source, launch.Stream, CheckpointService.LeaseHolderRun,
                    $"{launch.Source}/{launch.Stream}: an administrator is changing the checkpoint; launch again in a moment.");
            }
            await audit.AppendAsync(new AuditEntry
            {
                Actor = caller.Name,
                Action = AuditActions.RunLaunch,
                Target = run.Id,
                Stream = $"{run.Source}/{run.Stream}",
                After = JsonSerializer.Serialize(new { run.Id, run.Mode, run.From, run.To, run.Workers }),
            }, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not StreamBusyException)
        {
            // Nothing was started: the run must not keep the stream's slot.
            await FinishAsync(run.Id, RunState.Failed, null, $"Not started: the console could not record the launch ({exception.Message}).", forced: false);
            throw;
        }
        logger.LogInformation("Run {RunId} ({Source}/{Stream}, {Mode}) launched by {User}", run.Id, run.Source, run.Stream, run.Mode, caller.Name);
        metrics.Started(run);
        Raise(run);
        return await StartAsync(run) ?? run;
    }

    public async Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(string id, CancellationToken cancellationToken = default)
    {
        if (_throughput.TryGetValue(id, out var live))
        {
            lock (live)
            {
                return [.. live];
            }
        }
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return [];
        }
        // A run this console process did not follow: its progress lines are in the archive.
        var points = new List<ThroughputPoint>();
        var archive = logs.Archive(id);
        for (var after = 0L; ;)
        {
            var lines = archive.Read(after, 5000);
            if (lines.Count == 0)
            {
                break;
            }
            points.AddRange(lines.Where(line => line.Event == "progress").Select(line => Point(line, JobLineParser.Progress(line, time.GetUtcNow())!)));
            after = lines[^1].Seq;
        }
        return points.Count > MaxThroughputPoints ? points[^MaxThroughputPoints..] : points;
    }

    public async Task<RunInfo?> CancelAsync(string id, bool force, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role < (force ? ConsoleRole.Admin : ConsoleRole.Operator))
        {
            throw new UnauthorizedAccessException(force ? "Force cancel needs the Admin role." : "Cancelling a run needs the Operator role.");
        }
        var run = await store.GetAsync(id, cancellationToken);
        if (run is null)
        {
            return null;
        }
        if (!run.State.IsActive())
        {
            throw new RunStateConflictException(id, run.State, "cancelled");
        }
        if (run.State != RunState.Cancelling)
        {
            run = await store.TransitionAsync(id, RunState.Cancelling,
                new RunChange { CancelledBy = caller.Name, CancelRequestedAt = time.GetUtcNow() }, "cancelled", cancellationToken);
            if (run is null)
            {
                return null;
            }
            logger.LogInformation("Run {RunId}: cancel requested by {User}", id, caller.Name);
            Raise(run);
            ScheduleKill(run);
            await RecordCancelAsync(run, caller, force: false);
        }
        else if (!force)
        {
            return run;
        }
        if (await store.HandleAsync(id, cancellationToken) is { } handle)
        {
            if (force)
            {
                await store.MarkForcedAsync(id, caller.Name, cancellationToken);
                logger.LogWarning("Run {RunId}: force cancel by {User}", id, caller.Name);
            }
            await runner.StopAsync(handle, force ? TimeSpan.Zero : CancelGracePeriod, cancellationToken);
            if (force)
            {
                await RecordCancelAsync(run, caller, force: true);
            }
        }
        run = await store.GetAsync(id, cancellationToken);
        Raise(run!);
        return run;
    }

    private async Task RecordCancelAsync(RunInfo run, CallerInfo caller, bool force)
    {
        var stream = $"{run.Source}/{run.Stream}";
        await audit.AppendAsync(new AuditEntry
        {
            Actor = caller.Name,
            Action = force ? AuditActions.RunForceCancel : AuditActions.RunCancel,
            Target = run.Id,
            Stream = stream,
            Before = JsonSerializer.Serialize(new { state = run.State.ToString() }),
            After = JsonSerializer.Serialize(new { state = RunState.Cancelling.ToString(), forced = force }),
        }, CancellationToken.None);
        await notifier.NotifyAsync(force ? NotificationEvents.RunForceCancelled : NotificationEvents.RunCancelled, run.Id,
            new { runId = run.Id, source = run.Source, stream = run.Stream, by = caller.Name, forced = force }, CancellationToken.None);
    }

    /// <summary>Re-attaches to the jobs of runs an earlier console left active, or ends those runs with the reason.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.SeedStreams();
        foreach (var run in await store.ListActiveAsync(cancellationToken))
        {
            var handle = await store.HandleAsync(run.Id, cancellationToken);
            if (handle is null)
            {
                await (run.State == RunState.Cancelling
                    ? FinishAsync(run.Id, RunState.Cancelled, null, null, forced: false)
                    : FinishAsync(run.Id, RunState.Failed, null, "The console stopped before the job was started.", forced: false));
                continue;
            }
            var alive = (await runner.StatusAsync(handle, cancellationToken)).Running;
            if (alive)
            {
                logger.LogInformation("Run {RunId}: re-attached to job {Kind} {Job}", run.Id, handle.Kind, handle.Id);
            }
            else
            {
                logger.LogInformation("Run {RunId}: job {Kind} {Job} ended while the console was down", run.Id, handle.Kind, handle.Id);
            }
            if (run.State == RunState.Cancelling && alive)
            {
                ScheduleKill(run);
            }
            metrics.Track(run);
            Follow(run, handle);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Jobs keep running: the next console process re-attaches to them.
        if (Volatile.Read(ref _disposed))
        {
            return; // a host torn down in a hurry may dispose services before it stops them
        }
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_followers.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _stopping.Dispose();
    }

    private async Task<RunInfo?> StartAsync(RunInfo run)
    {
        RunInfo? starting;
        try
        {
            starting = await store.TransitionAsync(run.Id, RunState.Starting, new RunChange { StartedAt = time.GetUtcNow(), AddAttempt = true }, "started");
        }
        catch (RunStateConflictException)
        {
            // Cancelled before it started: nothing to stop.
            return await FinishAsync(run.Id, RunState.Cancelled, null, null, forced: false);
        }
        Raise(starting!);
        JobHandle handle;
        try
        {
            handle = await runner.StartAsync(specs.Create(starting!, logs.RunFolder(run.Id)), _stopping.Token);
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            logger.LogError(exception, "Run {RunId}: the job could not be started", run.Id);
            return await FinishAsync(run.Id, RunState.Failed, null, $"The job could not be started: {exception.Message}", forced: false);
        }
        if (await store.RecordHandleAsync(run.Id, handle) == RunState.Cancelling)
        {
            // Cancelled while the job was being started: the stop could not be asked for before now.
            await runner.StopAsync(handle, CancelGracePeriod, CancellationToken.None);
        }
        Follow(starting!, handle);
        return await store.GetAsync(run.Id);
    }

    private void Follow(RunInfo run, JobHandle handle)
    {
        var stopping = _stopping.Token;
        _followers[run.Id] = Task.Run(async () =>
        {
            // Following resumes where the log stands, so a passing failure (a full disk, a locked database) loses nothing;
            // one that persists ends the run rather than leave it Running with nobody watching the job.
            for (var failures = 0; ; failures++)
            {
                try
                {
                    await FollowAsync(run, handle, stopping);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    logger.LogError(exception, "Run {RunId}: following the job failed (attempt {Attempt})", run.Id, failures + 1);
                    if (failures == MaxFollowFailures)
                    {
                        await runner.StopAsync(handle, CancelGracePeriod, CancellationToken.None);
                        await FinishAsync(run.Id, RunState.Failed, null, $"The console could not follow the job: {exception.Message}", forced: false);
                        break;
                    }
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), time, stopping);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
            _followers.TryRemove(run.Id, out _);
        });
    }

    private async Task FollowAsync(RunInfo run, JobHandle handle, CancellationToken cancellationToken)
    {
        var log = logs.Open(run.Id);
        var running = run.State is RunState.Running or RunState.Cancelling;
        // Read again: when following is retried, the progress counted so far is the stored one, not the first run's.
        var progress = (await store.GetAsync(run.Id, cancellationToken))?.Progress ?? run.Progress;
        string? lastError = null;
        RunUsage? usage = null;
        await foreach (var output in runner.FollowAsync(handle, log.OutputPosition, cancellationToken))
        {
            var lines = log.Append(output.Lines, output.Position);
            metrics.LogLines(run, lines.Count);
            if (!running)
            {
                running = true;
                try
                {
                    Raise((await store.TransitionAsync(run.Id, RunState.Running, new RunChange(), "running", cancellationToken))!);
                }
                catch (RunStateConflictException)
                {
                    // Already Cancelling: it stays so.
                }
            }
            var reported = false;
            foreach (var line in lines)
            {
                if (line.Level == "error")
                {
                    lastError = line.Msg;
                }
                if (JobLineParser.Usage(line) is { } used)
                {
                    usage = used;
                }
                if (JobLineParser.Quality(line) is var (quality, failedRules))
                {
                    metrics.Quality(run, quality, failedRules);
                    await store.UpdateQualityAsync(run.Id, quality, cancellationToken);
                    if (quality is QualityOutcomes.Failed or QualityOutcomes.Blocked)
                    {
                        await notifier.NotifyAsync(NotificationEvents.QualityFailed, run.Id, new
                        {
                            runId = run.Id, source = run.Source, stream = run.Stream, outcome = quality, failedRules, blocked = quality == QualityOutcomes.Blocked,
                        }, CancellationToken.None);
                    }
                    reported = true;
                }
                if (JobLineParser.Progress(line, time.GetUtcNow()) is { } update)
                {
                    if (line.Event == "progress")
                    {
                        AddPoint(run.Id, Point(line, update));
                    }
                    // The summary closes the run: the last live rate stays, and every planned slice is done.
                    var previous = progress;
                    progress = line.Event == "summary"
                        ? update with { RecordsPerSecond = progress.RecordsPerSecond, SlicesDone = progress.SlicesTotal, SlicesTotal = progress.SlicesTotal }
                        : update;
                    metrics.Progress(run, previous, progress);
                    reported = true;
                }
            }
            if (reported || usage is not null)
            {
                await store.UpdateProgressAsync(run.Id, progress, usage, cancellationToken);
                usage = null;
                if (await store.GetAsync(run.Id, cancellationToken) is { } updated)
                {
                    Raise(updated);
                }
            }
        }
        logs.Complete(run.Id);
        var exitCode = (await runner.StatusAsync(handle, CancellationToken.None)).ExitCode;
        var current = await store.GetAsync(run.Id, cancellationToken);
        var cancelling = current?.State == RunState.Cancelling;
        var (outcome, reason) = exitCode switch
        {
            JobExitCodes.Ok => (RunState.Succeeded, null),
            JobExitCodes.Cancelled when cancelling => (RunState.Cancelled, null),
            null when cancelling => (RunState.Cancelled, null),
            null => (RunState.Failed, "The job ended without an exit status: it was killed, or the machine stopped."),
            JobExitCodes.Cancelled => (RunState.Failed, "The job was stopped by a signal from outside the console (exit 130)."),
            { } code => (RunState.Failed, $"Exit {code.ToString(CultureInfo.InvariantCulture)} ({JobExitCodes.Describe(code)})"
                                          + (lastError is null ? "." : $": {lastError}")),
        };
        await FinishAsync(run.Id, outcome, exitCode, reason, forced: exitCode is null && cancelling);
        // A killed job cannot release its lease in the state store; it was this run's, so it goes now, not at expiry.
        if (exitCode is null && await state.GetLeaseAsync(run.Source, run.Stream, CancellationToken.None) is { } lease
            && lease.Holder.StartsWith(run.Id + "@", StringComparison.Ordinal))
        {
            await state.ReleaseLeaseAsync(run.Source, run.Stream, lease.Holder, CancellationToken.None);
        }
        await runner.ReleaseAsync(handle, CancellationToken.None);
    }

    private async Task<RunInfo?> FinishAsync(string id, RunState outcome, int? exitCode, string? reason, bool forced, bool notify = true)
    {
        // To the millisecond, as the store keeps it: the cost is priced over exactly the times the run shows.
        var ended = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        RunCost? cost = null;
        try
        {
            // Priced before the change, so the run is never seen ended without its cost.
            cost = await store.GetAsync(id) is { } current ? await costs.PriceAsync(current with { EndedAt = ended }, CancellationToken.None) : null;
        }
        catch (Exception exception) when (exception is Microsoft.Data.Sqlite.SqliteException or System.Text.Json.JsonException)
        {
            // The run ends either way; its cost is the only thing missing.
            logger.LogWarning(exception, "Run {RunId} could not be priced", id);
        }
        var change = new RunChange { EndedAt = ended, ExitCode = exitCode, FailureReason = reason, Forced = forced ? true : null, Cost = cost };
        var run = await store.TransitionAsync(id, outcome, change, outcome.ToString().ToLowerInvariant());
        // From now on the throughput is read from the archive, so memory holds only active runs' points.
        _throughput.TryRemove(id, out _);
        if (run is not null)
        {
            try
            {
                await costs.RecordAsync(run, CancellationToken.None);
            }
            catch (Exception exception) when (exception is Microsoft.Data.Sqlite.SqliteException or HttpRequestException or System.Text.Json.JsonException)
            {
                // The run has ended and is stored; only its budget check is missing (the next run's repeats it).
                logger.LogWarning(exception, "The budget could not be checked after run {RunId}", id);
            }
            logger.LogInformation("Run {RunId} {State}{Reason}", id, run.State, reason is null ? "" : $": {reason}");
            metrics.Finished(run, time.GetUtcNow());
            Raise(run);
            if (run.State == RunState.Failed && notify)
            {
                await notifier.NotifyAsync(NotificationEvents.RunFailed, run.Id, new
                {
                    runId = run.Id, source = run.Source, stream = run.Stream, exitCode = run.ExitCode, reason = run.FailureReason,
                    launchedBy = run.LaunchedBy, startedAt = run.StartedAt, endedAt = run.EndedAt, records = run.Progress.Records,
                }, CancellationToken.None);
            }
        }
        return run;
    }

    private void ScheduleKill(RunInfo run)
    {
        var stopping = _stopping.Token;
        var due = (run.CancelRequestedAt ?? time.GetUtcNow()) + CancelGracePeriod - time.GetUtcNow();
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero, time, stopping);
                var current = await store.GetAsync(run.Id);
                if (current?.State != RunState.Cancelling || await store.HandleAsync(run.Id) is not { } handle
                    || !(await runner.StatusAsync(handle, stopping)).Running)
                {
                    return;
                }
                logger.LogWarning("Run {RunId}: the job did not stop within {Grace}; killing it", run.Id, CancelGracePeriod);
                await store.MarkForcedAsync(run.Id, null);
                await runner.StopAsync(handle, TimeSpan.Zero, CancellationToken.None);
                Raise((await store.GetAsync(run.Id))!);
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private static ThroughputPoint Point(LogLine line, RunProgress progress) =>
        new(DateTimeOffset.TryParse(line.Ts, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : progress.UpdatedAt ?? DateTimeOffset.UnixEpoch,
            progress.Records, progress.RecordsPerSecond);

    private void AddPoint(string runId, ThroughputPoint point)
    {
        var points = _throughput.GetOrAdd(runId, _ => []);
        lock (points)
        {
            if (points.Count == MaxThroughputPoints)
            {
                points.RemoveAt(0);
            }
            points.Add(point);
        }
    }

    private void Raise(RunInfo run)
    {
        try
        {
            Changed?.Invoke(run);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            logger.LogError(exception, "A run-change subscriber failed");
        }
    }

    private static string NewId(DateTimeOffset now) =>
        $"run-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
}
