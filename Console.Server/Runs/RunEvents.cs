using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Tells the <see cref="IRunObserver"/>s what happens to runs, one after the other (an observer that fails is logged
/// and the others are still told), and raises <see cref="Changed"/> for the pages that show runs live.
/// </summary>
internal sealed class RunEvents(IEnumerable<IRunObserver> observers, ILogger<RunEvents> logger)
{
    private readonly IReadOnlyList<IRunObserver> _observers = [.. observers];

    /// <summary>Raised (on any thread) whenever a run changes: state or progress.</summary>
    public event Action<RunInfo>? Changed;

    public void Raise(RunInfo run)
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

    public Task LaunchedAsync(RunInfo run) => TellAsync(run, "launch", o => o.RunLaunchedAsync(run, CancellationToken.None));

    public Task CancelRequestedAsync(RunInfo run, string by, bool force) =>
        TellAsync(run, "cancel", o => o.CancelRequestedAsync(run, by, force, CancellationToken.None));

    public Task QualityReportedAsync(RunInfo run, string outcome, IReadOnlyList<string> failedRules) =>
        TellAsync(run, "quality", o => o.QualityReportedAsync(run, outcome, failedRules, CancellationToken.None));

    public Task RetryingAsync(RunInfo run, RunAttempt failed) => TellAsync(run, "retry", o => o.RunRetryingAsync(run, failed, CancellationToken.None));

    public Task FinishedAsync(RunInfo run, bool announced) => TellAsync(run, "end", o => o.RunFinishedAsync(run, announced, CancellationToken.None));

    private async Task TellAsync(RunInfo run, string what, Func<IRunObserver, Task> tell)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await tell(observer);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The run's own record is written before observers hear of it: only what this observer does is missing.
                logger.LogWarning(exception, "Run {RunId}: {Observer} could not handle the run's {Event}", run.Id, observer.GetType().Name, what);
            }
        }
    }
}
