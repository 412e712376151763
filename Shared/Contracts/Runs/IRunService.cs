using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Shared.Runs;

/// <summary>Launching, cancelling and reading runs: the API and the UI both go through this.</summary>
public interface IRunService
{
    /// <summary>The runner and the defaults of a launch (the launch form shows them).</summary>
    LaunchDefaults LaunchDefaults { get; }

    /// <summary>
    /// Runs, newest first; with <paramref name="before"/> (a run's id), those after that run in this order (keyset
    /// paging: pass the last id of a page to get the next). <see cref="InvalidFieldException"/> when there is no such run.
    /// </summary>
    Task<IReadOnlyList<RunInfo>> ListAsync(int limit = 500, string? before = null, CancellationToken cancellationToken = default);

    /// <summary>One page of runs, sorted and filtered by the store; <see cref="InvalidFieldException"/> names a wrong part of the query.</summary>
    Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default);

    Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Validates (an <see cref="Validation.InvalidFieldException"/> names the field), takes the stream
    /// (<see cref="StreamBusyException"/> when it is held), records the run and starts it.
    /// </summary>
    Task<RunInfo> LaunchAsync(LaunchRequest request, CallerInfo caller, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks the job to stop (graceful, then forced after the grace period). <paramref name="force"/> kills it at once
    /// and needs an admin. Returns null when there is no such run; <see cref="RunStateConflictException"/> when it has ended.
    /// </summary>
    Task<RunInfo?> CancelAsync(string id, bool force, CallerInfo caller, CancellationToken cancellationToken = default);

    /// <summary>The run's throughput over time, one point per progress report (the newest 3,600 at most).</summary>
    Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The run's attempts, first first (one unless it was retried); empty before its job started.</summary>
    Task<IReadOnlyList<RunAttempt>> AttemptsAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The grace period between the graceful stop and the kill.</summary>
    TimeSpan CancelGracePeriod { get; }

    /// <summary>
    /// Runs as they change (state or progress), in batches: at most ten a second, and an empty batch every second
    /// when nothing changed, so a view can move the clocks of active runs without a timer of its own. A run that
    /// changed several times within a batch may appear more than once; the last one is its latest state.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<RunInfo>> WatchAsync(CancellationToken cancellationToken);
}

/// <summary>One progress report: when, records so far, and the records per second since the previous report.</summary>
public sealed record ThroughputPoint(DateTimeOffset At, long Records, double RecordsPerSecond);
