using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Live;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Launching and cancelling runs (the API and the UI go through this): authorize, validate, take the stream, record,
/// start the job and hand it to the <see cref="RunFollower"/>; cancel gracefully, then by force.
/// </summary>
internal sealed class RunLauncher(
    IRunStore store,
    IJobRunner runner,
    IStateStore state,
    JobSpecFactory specs,
    IAuditLog audit,
    RunFollower follower,
    RunFinisher finisher,
    RunEvents events,
    Logs.LogService logs,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Runners.Kubernetes.KubernetesOptions> kubernetes,
    ILogger<RunLauncher> logger) : IRunService
{
    public LaunchDefaults LaunchDefaults => runner.Kind == Runners.Kubernetes.KubernetesJobManifest.Kind
        ? new LaunchDefaults(runner.Kind, kubernetes.Value.Capacity, kubernetes.Value.CpuRequest, kubernetes.Value.MemoryRequest)
        : new LaunchDefaults(runner.Kind, "on-demand", "", "");

    /// <summary>How often a watcher gets a batch at most, and the longest it waits for one.</summary>
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(100), Heartbeat = TimeSpan.FromSeconds(1);

    public async IAsyncEnumerable<IReadOnlyList<RunInfo>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Bounded, so a watcher that stops reading cannot hold memory without limit; the newest changes win.
        var changes = Channel.CreateBounded<RunInfo>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnChanged(RunInfo run) => changes.Writer.TryWrite(run);
        events.Changed += OnChanged;
        try
        {
            await foreach (var batch in changes.Reader.GetBatchesAsync(BatchInterval, Heartbeat, time, cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            events.Changed -= OnChanged;
        }
    }

    public TimeSpan CancelGracePeriod => follower.CancelGracePeriod;

    public async Task<IReadOnlyList<RunInfo>> ListAsync(int limit = 500, string? before = null, CancellationToken cancellationToken = default) =>
        await store.ListAsync(Math.Clamp(limit, 1, RunsApi.MaxRunList), before, cancellationToken)
            ?? throw new InvalidFieldException("before", $"there is no run '{(before!.Length > 64 ? before[..64] + "…" : before)}'.");

    public Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        query.Validate();
        return store.QueryAsync(query, cancellationToken);
    }

    public Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default) => store.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(string id, CancellationToken cancellationToken = default) =>
        follower.ThroughputAsync(id, cancellationToken);

    public Task<IReadOnlyList<RunAttempt>> AttemptsAsync(string id, CancellationToken cancellationToken = default) => store.AttemptsAsync(id, cancellationToken);

    public async Task<RunInfo> LaunchAsync(LaunchRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Operator)
        {
            throw new UnauthorizedAccessException("Launching a run needs the Operator role.");
        }
        var launch = LaunchValidator.Validate(request);
        if (!LaunchDefaults.Resources && (launch.Cpu ?? launch.Memory) is not null)
        {
            throw new InvalidFieldException(launch.Cpu is not null ? "cpu" : "memory", $"applies to runs on Kubernetes only; this console's runner is {runner.Kind}.");
        }
        if (!LaunchDefaults.Resources && launch.Executors > 1)
        {
            throw new InvalidFieldException("executors", $"more than 1 needs the Kubernetes runner (executor pods); this console's runner is {runner.Kind}, whose workers share one process.");
        }
        if (specs.Problem is { } problem)
        {
            throw new InvalidFieldException("source", problem);
        }
        await CheckStreamIsFreeAsync(launch, cancellationToken);
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
            Capacity = launch.Capacity,
            Cpu = launch.Cpu,
            Memory = launch.Memory,
            Executors = launch.Executors,
            MaxAttempts = 1 + launch.Retries,
            RetryBackoffSeconds = launch.RetryBackoffSeconds,
            State = RunState.Pending,
            CreatedAt = now,
            LaunchedBy = caller.Name,
        };
        await store.InsertAsync(run, cancellationToken);
        await RecordLaunchAsync(run, launch, caller);
        logger.LogInformation("Run {RunId} ({Source}/{Stream}, {Mode}) launched by {User}", run.Id, run.Source, run.Stream, run.Mode, caller.Name);
        await events.LaunchedAsync(run);
        events.Raise(run);
        return await StartAsync(run) ?? run;
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
        var before = run.State;
        var waiting = run.RetryAt is not null;
        if (run.State != RunState.Cancelling)
        {
            run = await store.TransitionAsync(id, RunState.Cancelling,
                new RunChange { CancelledBy = caller.Name, CancelRequestedAt = time.GetUtcNow() }, "cancelled", cancellationToken);
            if (run is null)
            {
                return null;
            }
            logger.LogInformation("Run {RunId}: cancel requested by {User}", id, caller.Name);
            events.Raise(run);
            await RecordCancelAsync(run, before, caller, force: false);
            if (waiting)
            {
                // Waiting for its next attempt, the run has no job to stop: it ends now.
                var log = logs.Open(id);
                log.Append([ConsoleLine("info", "attempt", $"Cancelled by {caller.Name} while waiting for its next attempt; no further attempt starts.")],
                    log.OutputPosition);
                logs.Complete(id);
                return await finisher.FinishAsync(id, RunState.Cancelled, null, null, forced: false);
            }
            follower.ScheduleKill(run);
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
                await RecordCancelAsync(run, RunState.Cancelling, caller, force: true);
            }
        }
        run = await store.GetAsync(id, cancellationToken);
        events.Raise(run!);
        return run;
    }

    /// <summary>A job started outside the console (the CLI) holds the stream in the state store, not in the run store.</summary>
    private async Task CheckStreamIsFreeAsync(ValidLaunch launch, CancellationToken cancellationToken)
    {
        if (await state.GetLeaseAsync(launch.Source, launch.Stream, cancellationToken) is { } lease
            && await store.ActiveRunAsync(launch.Source, launch.Stream, cancellationToken) is null)
        {
            var holder = lease.Holder.Split('@')[0];
            throw new StreamBusyException(launch.Source, launch.Stream, holder, RunLeases.IsConsoles(lease.Holder)
                ? $"{launch.Source}/{launch.Stream}: {RunLeases.Describe(lease.Holder)}; launch again when it is done."
                : $"{launch.Source}/{launch.Stream} is held by job run {holder} (lease until {lease.ExpiresAt:u}), started outside the console.");
        }
    }

    /// <summary>
    /// The run holds the stream in the run store now; an administrator changing the checkpoint took the state store's
    /// lease first and then looks for active runs. Whoever comes second backs out. Then the launch is audited.
    /// </summary>
    private async Task RecordLaunchAsync(RunInfo run, ValidLaunch launch, CallerInfo caller)
    {
        try
        {
            if (await state.GetLeaseAsync(launch.Source, launch.Stream, CancellationToken.None) is { } changing && RunLeases.IsConsoles(changing.Holder))
            {
                var what = RunLeases.Describe(changing.Holder);
                await finisher.FinishAsync(run.Id, RunState.Failed, null, $"Not started: {what} at that moment.", forced: false, announced: false);
                throw new StreamBusyException(launch.Source, launch.Stream, changing.Holder.Split('@')[0],
                    $"{launch.Source}/{launch.Stream}: {what}; launch again when it is done.");
            }
            await audit.AppendAsync(new AuditEntry
            {
                Actor = caller.Name,
                Action = AuditActions.RunLaunch,
                Target = run.Id,
                Stream = $"{run.Source}/{run.Stream}",
                After = JsonSerializer.Serialize(new { run.Id, run.Mode, run.From, run.To, run.Workers, run.Capacity, run.Cpu, run.Memory, run.Executors,
                    Retries = run.MaxAttempts > 1 ? run.MaxAttempts - 1 : (int?)null, RetryBackoffSeconds = run.MaxAttempts > 1 ? run.RetryBackoffSeconds : (int?)null }),
            }, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not StreamBusyException)
        {
            // Nothing was started: the run must not keep the stream's slot.
            await finisher.FinishAsync(run.Id, RunState.Failed, null, $"Not started: the console could not record the launch ({exception.Message}).", forced: false);
            throw;
        }
    }

    /// <summary>Starts the next attempt of a run whose retry is due (<see cref="RunRetrier"/>); null when another console started it first.</summary>
    public Task<RunInfo?> RetryAsync(RunInfo run) => StartAsync(run);

    private async Task<RunInfo?> StartAsync(RunInfo run)
    {
        var retry = run.Attempts > 0;
        var now = time.GetUtcNow();
        RunInfo? starting;
        try
        {
            // The run's start stays its first attempt's: its duration and cost cover every attempt and the waits between.
            starting = await store.TransitionAsync(run.Id, RunState.Starting, new RunChange { StartedAt = retry ? null : now, AddAttempt = true }, "started");
        }
        catch (RunStateConflictException conflict)
        {
            // Cancelled before it started: nothing to stop. (A retry another console started first is that console's.)
            return conflict.Current == RunState.Cancelling ? await finisher.FinishAsync(run.Id, RunState.Cancelled, null, null, forced: false) : null;
        }
        var log = logs.Open(run.Id);
        if (retry)
        {
            // The new attempt's output is read from its beginning: the marker line resets the log's place in the job's output.
            log.Append([ConsoleLine("info", "attempt", $"Attempt {starting!.Attempts} of {starting.MaxAttempts} starts: the job resumes run {run.Id}, "
                                                      + "so slices an earlier attempt finished are not fetched again.")], Runners.JobOutput.Start);
            logger.LogInformation("Run {RunId}: attempt {Attempt} of {MaxAttempts} starts", run.Id, starting.Attempts, starting.MaxAttempts);
        }
        await store.StartAttemptAsync(run.Id, starting!.Attempts, now, retry ? log.LastSeq : log.LastSeq + 1);
        events.Raise(starting!);
        JobHandle handle;
        try
        {
            handle = await runner.StartAsync(specs.Create(starting!, logs.RunFolder(run.Id)), CancellationToken.None);
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            logger.LogError(exception, "Run {RunId}: the job could not be started", run.Id);
            logs.Complete(run.Id);
            return await finisher.FinishAsync(run.Id, RunState.Failed, null, $"The job could not be started: {exception.Message}", forced: false);
        }
        if (await store.RecordHandleAsync(run.Id, handle) == RunState.Cancelling)
        {
            // Cancelled while the job was being started: the stop could not be asked for before now.
            await runner.StopAsync(handle, CancelGracePeriod, CancellationToken.None);
        }
        follower.Follow(starting!, handle);
        return await store.GetAsync(run.Id);
    }

    /// <summary>The cancel's audit entry: the state the run was in before it (Running, Starting, ...) and Cancelling after.</summary>
    private async Task RecordCancelAsync(RunInfo run, RunState before, CallerInfo caller, bool force)
    {
        await audit.AppendAsync(new AuditEntry
        {
            Actor = caller.Name,
            Action = force ? AuditActions.RunForceCancel : AuditActions.RunCancel,
            Target = run.Id,
            Stream = $"{run.Source}/{run.Stream}",
            Before = JsonSerializer.Serialize(new { state = before.ToString() }),
            After = JsonSerializer.Serialize(new { state = RunState.Cancelling.ToString(), forced = force }),
        }, CancellationToken.None);
        await events.CancelRequestedAsync(run, caller.Name, force);
    }

    /// <summary>A line the console writes into a run's log (source <c>console</c>), in the job's line format.</summary>
    public static string ConsoleLine(string level, string @event, string message) =>
        Shared.Jobs.JobLines.Format(new Shared.Jobs.JobLineHeader(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            level, ConsoleSource, @event, message));

    /// <summary>The source of the lines the console writes into a run's log (its attempts and retries).</summary>
    public const string ConsoleSource = "console";

    private static string NewId(DateTimeOffset now) =>
        $"run-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
}
