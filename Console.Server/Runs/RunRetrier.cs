using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Starts the next attempt of each run whose retry has come due (<see cref="RunInfo.RetryAt"/>). The due times live
/// in the run store, so a console that restarts during a wait still retries; the conditional move from Pending to
/// Starting lets exactly one console start an attempt.
/// </summary>
internal sealed class RunRetrier(IRunStore store, RunLauncher launcher, TimeProvider time, ILogger<RunRetrier> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await PassAsync(stoppingToken);
                await Task.Delay(Tick, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts every due retry once.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var run in await store.DueRetriesAsync(time.GetUtcNow(), cancellationToken))
            {
                await launcher.RetryAsync(run);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Starting due retries failed; the next pass tries again");
        }
    }
}
