using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Starts the next attempt of each run whose retry has come due (<see cref="RunInfo.RetryAt"/>). The due times live
/// in the run store, which it reads once a second, so a console that restarts during a wait still retries; a wait
/// this console began is also heard of as the run changes, so that retry starts at its time, not up to a second late.
/// The conditional move from Pending to Starting lets exactly one console start an attempt.
/// </summary>
internal sealed class RunRetrier(IRunStore store, RunLauncher launcher, RunEvents events, TimeProvider time, ILogger<RunRetrier> logger) : BackgroundService
{
    /// <summary>How often the run store is read for due retries.</summary>
    public static readonly TimeSpan Scan = TimeSpan.FromSeconds(1);

    /// <summary>The earliest retry this console heard of (unix milliseconds), or <see cref="long.MaxValue"/>.</summary>
    private long _nextDue = long.MaxValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        events.Changed += Heard;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await PassAsync(stoppingToken);
                var untilNext = Interlocked.Read(ref _nextDue) is var next and < long.MaxValue
                    ? DateTimeOffset.FromUnixTimeMilliseconds(next) - time.GetUtcNow()
                    : Scan;
                await Task.Delay(untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext < Scan ? untilNext : Scan, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            events.Changed -= Heard;
        }
    }

    /// <summary>Starts every due retry once.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Interlocked.Read(ref _nextDue) is var next && next <= now.ToUnixTimeMilliseconds())
        {
            Interlocked.CompareExchange(ref _nextDue, long.MaxValue, next);
        }
        try
        {
            foreach (var run in await store.DueRetriesAsync(now, cancellationToken))
            {
                await launcher.RetryAsync(run);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Starting due retries failed; the next pass tries again");
        }
    }

    private void Heard(RunInfo run)
    {
        if (run.RetryAt is not { } at)
        {
            return;
        }
        var due = at.ToUnixTimeMilliseconds();
        for (var current = Interlocked.Read(ref _nextDue); due < current; current = Interlocked.Read(ref _nextDue))
        {
            if (Interlocked.CompareExchange(ref _nextDue, due, current) == current)
            {
                return;
            }
        }
    }
}
