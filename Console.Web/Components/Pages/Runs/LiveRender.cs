namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// The render pace of live run views: a tick every <see cref="Interval"/> (so at most ten renders a second, however many
/// changes arrive), and a flag on every tenth tick, when an active run's clock should move on even without a change.
/// </summary>
public static class LiveRender
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Calls <paramref name="tick"/> (with "a second has passed") until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task LoopAsync(TimeProvider time, Func<bool, Task> tick, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            for (var ticks = 1; await timer.WaitForNextTickAsync(cancellationToken); ticks++)
            {
                await tick(ticks % 10 == 0);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The page went away while a render was queued.
        }
    }
}
