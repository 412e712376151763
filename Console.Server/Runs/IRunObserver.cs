using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// What happens to runs, for the features that act on it (metrics, notifications, costs). Register an
/// implementation as <see cref="IRunObserver"/>; every method has a default that does nothing.
/// </summary>
internal interface IRunObserver
{
    /// <summary>A run was recorded and is about to start.</summary>
    Task RunLaunchedAsync(RunInfo run, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Someone asked a run to stop (<paramref name="force"/>: at once).</summary>
    Task CancelRequestedAsync(RunInfo run, string by, bool force, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The job reported its data-quality outcome.</summary>
    Task QualityReportedAsync(RunInfo run, string outcome, IReadOnlyList<string> failedRules, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A run ended (succeeded, failed or cancelled) and is stored so. <paramref name="announced"/> is false for a launch
    /// that backed out before anyone was told of it.
    /// </summary>
    Task RunFinishedAsync(RunInfo run, bool announced, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A run's attempt failed in a way another attempt can get past: the run waits (Pending) until <see cref="RunInfo.RetryAt"/>.</summary>
    Task RunRetryingAsync(RunInfo run, RunAttempt failed, CancellationToken cancellationToken) => Task.CompletedTask;
}
