using OpsConsole.Server.Runners;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// The console's record of runs: one active run per stream, conditional state changes, the job's handle, progress,
/// usage, cost and quality. The embedded store is SQLite (<see cref="SqliteRunStore"/>).
/// </summary>
internal interface IRunStore
{
    /// <summary>Records a new (Pending) run, or throws <see cref="StreamBusyException"/> naming the stream's active run.</summary>
    Task InsertAsync(RunInfo run, CancellationToken cancellationToken = default);

    Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Runs, newest first (created, then id); after the run <paramref name="before"/> when given, null when there is no such run.</summary>
    Task<IReadOnlyList<RunInfo>?> ListAsync(int limit, string? before = null, CancellationToken cancellationToken = default);

    /// <summary>One page of runs for a validated query, and how many runs match its filters.</summary>
    Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Runs in an active state (what a restarted console must reconcile).</summary>
    Task<IReadOnlyList<RunInfo>> ListActiveAsync(CancellationToken cancellationToken = default);

    Task<RunInfo?> ActiveRunAsync(string source, string stream, CancellationToken cancellationToken = default);

    /// <summary>The handle of a run's job (to re-attach after a restart), once the runner has started it.</summary>
    Task<JobHandle?> HandleAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the run to <paramref name="to"/> when its current state allows it, writing <paramref name="change"/> in the
    /// same statement. Returns the updated run, null when there is no such run, or throws
    /// <see cref="RunStateConflictException"/> when the move is illegal from its current state.
    /// </summary>
    Task<RunInfo?> TransitionAsync(string id, RunState to, RunChange change, string action, CancellationToken cancellationToken = default);

    /// <summary>Records the started job's handle on an active run; returns the run's state (null when it is no longer active).</summary>
    Task<RunState?> RecordHandleAsync(string id, JobHandle handle, CancellationToken cancellationToken = default);

    /// <summary>Marks a Cancelling run as forced (the kill was sent) without changing its state.</summary>
    Task MarkForcedAsync(string id, string? by, CancellationToken cancellationToken = default);

    /// <summary>Stores the job's latest progress report and, when the lines reported it, what the run has used so far.</summary>
    Task UpdateProgressAsync(string id, RunProgress progress, RunUsage? usage = null, CancellationToken cancellationToken = default);

    /// <summary>Records a budget notification for the month and level; false when one was recorded before.</summary>
    Task<bool> RecordBudgetAlertAsync(string month, string level, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Runs that started before <paramref name="to"/> and ended after <paramref name="from"/> (or have not ended).</summary>
    Task<IReadOnlyList<RunInfo>> ListOverlappingAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>The stream's run that ended last before <paramref name="before"/>, other than <paramref name="except"/>.</summary>
    Task<RunInfo?> PreviousEndedAsync(string source, string stream, DateTimeOffset before, string except, CancellationToken cancellationToken = default);

    /// <summary>Stores the run's data-quality outcome as the job reported it.</summary>
    /// <summary>Records the run's pods as its runner last saw them (the Kubernetes runner).</summary>
    Task UpdatePodsAsync(string id, IReadOnlyList<RunPod> pods, CancellationToken cancellationToken = default);

    Task UpdateQualityAsync(string id, string outcome, CancellationToken cancellationToken = default);

    /// <summary>Runs waiting for their next attempt whose time has come, earliest first.</summary>
    Task<IReadOnlyList<RunInfo>> DueRetriesAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Records the start of an attempt; its lines begin at <paramref name="firstSeq"/> in the run's log.</summary>
    Task StartAttemptAsync(string id, int attempt, DateTimeOffset at, long firstSeq, CancellationToken cancellationToken = default);

    /// <summary>Records how the run's latest attempt ended (an attempt already ended keeps its record, unless it was ended as retried and no retry followed).</summary>
    Task EndAttemptAsync(string id, DateTimeOffset at, string outcome, int? exitCode, string? reason, bool retried, CancellationToken cancellationToken = default);

    /// <summary>The run's attempts, first first.</summary>
    Task<IReadOnlyList<RunAttempt>> AttemptsAsync(string id, CancellationToken cancellationToken = default);
}
