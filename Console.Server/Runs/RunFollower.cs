using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Watches started jobs: reads each one's output into the run's log and progress until it ends, finishes the run with
/// the job's outcome, keeps the live throughput, and kills a cancelled job that outlives its grace period. Jobs keep
/// running when the console stops; the next console follows them again (<see cref="RunReconciler"/>).
/// </summary>
internal sealed class RunFollower(
    IRunStore store,
    IJobRunner runner,
    LogService logs,
    IStateStore state,
    RunFinisher finisher,
    RunEvents events,
    RunMetrics metrics,
    IOptions<RunnerOptions> runnerOptions,
    TimeProvider time,
    ILogger<RunFollower> logger) : IDisposable
{
    /// <summary>The source of lines a runner writes into a run's log about the job (a Kubernetes pod's events).</summary>
    public const string RunnerSource = "kubernetes";

    private const int MaxFollowFailures = 5;
    private const int MaxThroughputPoints = 3600;

    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _followers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<ThroughputPoint>> _throughput = new(StringComparer.Ordinal);
    private bool _disposed;

    public TimeSpan CancelGracePeriod => TimeSpan.FromSeconds(runnerOptions.Value.GracePeriodSeconds);

    /// <summary>Follows the job of <paramref name="run"/> in the background until it ends or the console stops.</summary>
    public void Follow(RunInfo run, JobHandle handle)
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
                        await finisher.FinishAsync(run.Id, RunState.Failed, null, $"The console could not follow the job: {exception.Message}", forced: false);
                        break;
                    }
                    if (!await DelayAsync(TimeSpan.FromSeconds(1), stopping))
                    {
                        break;
                    }
                }
            }
            _followers.TryRemove(run.Id, out _);
        });
    }

    /// <summary>After the grace period, kills the job of a run still Cancelling (the deadline counts from the cancel request).</summary>
    public void ScheduleKill(RunInfo run)
    {
        var stopping = _stopping.Token;
        var due = (run.CancelRequestedAt ?? time.GetUtcNow()) + CancelGracePeriod - time.GetUtcNow();
        _ = Task.Run(async () =>
        {
            if (!await DelayAsync(due > TimeSpan.Zero ? due : TimeSpan.Zero, stopping))
            {
                return;
            }
            var current = await store.GetAsync(run.Id);
            if (current?.State != RunState.Cancelling || await store.HandleAsync(run.Id) is not { } handle
                || !(await runner.StatusAsync(handle, stopping)).Running)
            {
                return;
            }
            logger.LogWarning("Run {RunId}: the job did not stop within {Grace}; killing it", run.Id, CancelGracePeriod);
            await store.MarkForcedAsync(run.Id, null);
            await runner.StopAsync(handle, TimeSpan.Zero, CancellationToken.None);
            events.Raise((await store.GetAsync(run.Id))!);
        });
    }

    /// <summary>The run's throughput over time: live for a followed run, else read back from its log archive.</summary>
    public async Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(string id, CancellationToken cancellationToken)
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
            points.AddRange(lines.Where(line => line.Event == JobEvents.Progress)
                .Select(line => JobLineParser.Progress(line, time.GetUtcNow()) is { } progress ? Point(line, progress) : null).OfType<ThroughputPoint>());
            after = lines[^1].Seq;
        }
        return points.Count > MaxThroughputPoints ? points[^MaxThroughputPoints..] : points;
    }

    /// <summary>Stops following (the jobs keep running) and waits for the followers to let go.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
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

    private async Task FollowAsync(RunInfo run, JobHandle handle, CancellationToken cancellationToken)
    {
        var log = logs.Open(run.Id);
        var reader = new JobOutputReader((await store.GetAsync(run.Id, cancellationToken))?.Progress ?? run.Progress,
            run.State is RunState.Running or RunState.Cancelling);
        await foreach (var output in runner.FollowAsync(handle, log.OutputPosition, cancellationToken))
        {
            if (output.Pods is { } pods)
            {
                await store.UpdatePodsAsync(run.Id, pods, cancellationToken);
                if (await store.GetAsync(run.Id, cancellationToken) is { } placed)
                {
                    events.Raise(placed);
                }
            }
            var lines = log.Append(output.Lines, output.Position);
            metrics.LogLines(run, lines.Count);
            // The job runs once it speaks itself: the runner's own lines (a Pending pod's events) do not count.
            if (lines.Any(line => line.Source != RunnerSource) && reader.Started())
            {
                await MarkRunningAsync(run, cancellationToken);
            }
            await ReadAsync(run, reader, lines, cancellationToken);
        }
        await EndAsync(run, handle, log, reader.LastError);
    }

    /// <summary>Turns a batch of lines into the run's progress, usage, quality and throughput.</summary>
    private async Task ReadAsync(RunInfo run, JobOutputReader reader, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        var (changes, quality) = reader.Read(lines, time.GetUtcNow());
        foreach (var point in changes.Points)
        {
            AddPoint(run.Id, point);
        }
        if (changes.Before is { } before)
        {
            metrics.Progress(run, before, reader.Progress);
        }
        if (quality is var (outcome, failedRules))
        {
            await events.QualityReportedAsync(run, outcome, failedRules);
        }
        if (changes.Reported || changes.Usage is not null)
        {
            await store.UpdateProgressAsync(run.Id, reader.Progress, changes.Usage, cancellationToken);
            if (await store.GetAsync(run.Id, cancellationToken) is { } updated)
            {
                events.Raise(updated);
            }
        }
    }

    private async Task MarkRunningAsync(RunInfo run, CancellationToken cancellationToken)
    {
        try
        {
            events.Raise((await store.TransitionAsync(run.Id, RunState.Running, new RunChange(), "running", cancellationToken))!);
        }
        catch (RunStateConflictException)
        {
            // Already Cancelling: it stays so.
        }
    }

    /// <summary>
    /// The job has ended and its output is read: the run ends with the job's outcome, or, when the attempt failed in a
    /// way another can get past and attempts are left, waits for its next attempt (<see cref="RetryPolicy"/>).
    /// </summary>
    private async Task EndAsync(RunInfo run, JobHandle handle, RunLog log, string? lastError)
    {
        var status = await runner.StatusAsync(handle, CancellationToken.None);
        var exitCode = status.ExitCode;
        var cancelling = (await store.GetAsync(run.Id))?.State == RunState.Cancelling;
        // What the runner knows beyond the exit code (Kubernetes: OOMKilled, DeadlineExceeded, Evicted, a pod that never started).
        var runnerSays = status.Reason is { } said ? $" {said}" : "";
        var (outcome, reason) = exitCode switch
        {
            JobExitCodes.Ok => (RunState.Succeeded, null),
            // A run whose cancel was asked for and whose job then ended of the stop (its own exit 130, the signal's
            // 143 when it came before the job's handler, or a kill) was cancelled, whenever in its life it came.
            JobExitCodes.Cancelled or JobExitCodes.Terminated when cancelling => (RunState.Cancelled, null),
            null when cancelling => (RunState.Cancelled, null),
            null when status.Reason is not null => (RunState.Failed, $"The job ended without an exit status:{runnerSays}"),
            null => (RunState.Failed, "The job ended without an exit status: it was killed, or the machine stopped."),
            JobExitCodes.Cancelled => (RunState.Failed, "The job was stopped by a signal from outside the console (exit 130)."),
            { } code => (RunState.Failed, $"Exit {code.ToString(CultureInfo.InvariantCulture)} ({JobExitCodes.Describe(code)})"
                                          + (status.Reason is { } why ? $", {why}" : "") + (lastError is null ? "." : $": {lastError}")),
        };
        if (outcome == RunState.Failed && !cancelling && await RetryAsync(run.Id, log, exitCode, reason!, status.Reason))
        {
            await ReleaseAsync(run, handle, exitCode);
            return;
        }
        logs.Complete(run.Id);
        await finisher.FinishAsync(run.Id, outcome, exitCode, reason, forced: exitCode is null && cancelling);
        await ReleaseAsync(run, handle, exitCode);
    }

    /// <summary>Sends the run back to Pending until its next attempt when the failure is retryable and attempts are left; false otherwise.</summary>
    private async Task<bool> RetryAsync(string id, RunLog log, int? exitCode, string reason, string? runnerReason)
    {
        if (await store.GetAsync(id) is not { } current || current.Attempts >= current.MaxAttempts || !RetryPolicy.IsRetryable(exitCode, runnerReason))
        {
            return false;
        }
        var now = time.GetUtcNow();
        var delay = RetryPolicy.Delay(current.RetryBackoffSeconds, current.Attempts);
        var at = DateTimeOffset.FromUnixTimeMilliseconds((now + delay).ToUnixTimeMilliseconds());
        // The attempt's end is written first, so whoever sees the run waiting sees why; a cancel that comes first overwrites it.
        await store.EndAttemptAsync(id, now, "failed", exitCode, reason, retried: true);
        RunInfo? waiting;
        try
        {
            waiting = await store.TransitionAsync(id, RunState.Pending, new RunChange { RetryAt = at }, "retried");
        }
        catch (RunStateConflictException)
        {
            return false; // a cancel came first: the run ends
        }
        if (waiting is null)
        {
            return false;
        }
        log.Append([RunLauncher.ConsoleLine("warn", "retry", $"Attempt {current.Attempts} of {current.MaxAttempts} failed: {reason.TrimEnd('.')}. "
                                                            + $"Attempt {current.Attempts + 1} starts at {at:HH:mm:ss} UTC (in {delay.TotalSeconds:0} s).")],
            log.OutputPosition);
        log.Flush();
        logger.LogWarning("Run {RunId}: attempt {Attempt} of {MaxAttempts} failed ({Reason}); the next starts at {RetryAt:u}", id, current.Attempts, current.MaxAttempts,
            reason, at);
        events.Raise(waiting);
        var failed = await store.AttemptsAsync(id) is [.., var last] ? last
                     : new RunAttempt { Attempt = current.Attempts, StartedAt = now, EndedAt = now, Outcome = "failed", ExitCode = exitCode, Reason = reason, Retried = true, FirstSeq = 1 };
        await events.RetryingAsync(waiting, failed);
        return true;
    }

    /// <summary>What an ended attempt leaves behind goes: its live throughput, a killed job's lease, what the runner kept.</summary>
    private async Task ReleaseAsync(RunInfo run, JobHandle handle, int? exitCode)
    {
        // From now on the throughput is read from the archive, so memory holds only active runs' points.
        _throughput.TryRemove(run.Id, out _);
        // A killed job cannot release its lease in the state store (nor one that a signal ended before its handler ran:
        // exit 143); it was this run's, so it goes now, not at expiry.
        if (exitCode is null or JobExitCodes.Terminated or JobExitCodes.Killed && await state.GetLeaseAsync(run.Source, run.Stream, CancellationToken.None) is { } lease
            && lease.Holder.StartsWith(run.Id + "@", StringComparison.Ordinal))
        {
            await state.ReleaseLeaseAsync(run.Source, run.Stream, lease.Holder, CancellationToken.None);
        }
        await runner.ReleaseAsync(handle, CancellationToken.None);
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

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>What the lines of one job have said so far: progress, the last error, whether any line has come.</summary>
    private sealed class JobOutputReader(RunProgress progress, bool running)
    {
        private bool _running = running;

        public RunProgress Progress { get; private set; } = progress;

        public string? LastError { get; private set; }

        /// <summary>True once, for the first output of a job not yet known to run.</summary>
        public bool Started()
        {
            if (_running)
            {
                return false;
            }
            _running = true;
            return true;
        }

        public (Changes Changes, (string Outcome, IReadOnlyList<string> FailedRules)? Quality) Read(IReadOnlyList<LogLine> lines, DateTimeOffset now)
        {
            var changes = new Changes();
            (string, IReadOnlyList<string>)? quality = null;
            foreach (var line in lines)
            {
                if (line.Level == "error")
                {
                    LastError = line.Msg;
                }
                if (JobLineParser.Usage(line) is { } used)
                {
                    changes.Usage = used;
                }
                if (JobLineParser.Quality(line) is { } reported)
                {
                    quality = reported;
                    changes.Reported = true;
                }
                if (JobLineParser.Planning(line) is { } planning)
                {
                    Progress = Progress with { Planning = planning };
                    changes.Reported = true;
                }
                if (JobLineParser.Plan(line) is { } plan)
                {
                    Progress = Progress with { PlannedFrom = plan.From, PlannedTo = plan.To };
                    changes.Reported = true;
                }
                if (JobLineParser.Progress(line, now) is { } progress)
                {
                    var update = progress with { PlannedFrom = Progress.PlannedFrom, PlannedTo = Progress.PlannedTo, Planning = Progress.Planning };
                    if (line.Event == JobEvents.Progress)
                    {
                        changes.Points.Add(Point(line, update));
                    }
                    changes.Before ??= Progress;
                    // The summary closes the run: the last live rate stays, and every planned slice is done.
                    Progress = line.Event == JobEvents.Summary
                        ? update with { RecordsPerSecond = Progress.RecordsPerSecond, SlicesDone = Progress.SlicesTotal, SlicesTotal = Progress.SlicesTotal }
                        : update;
                    changes.Reported = true;
                }
            }
            return (changes, quality);
        }
    }

    /// <summary>What one batch of lines changed.</summary>
    private sealed class Changes
    {
        public List<ThroughputPoint> Points { get; } = [];

        public RunProgress? Before { get; set; }

        public RunUsage? Usage { get; set; }

        public bool Reported { get; set; }
    }
}
