using OpsConsole.Shared.Jobs;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// A <c>progress</c> line every second while slices are fetched: totals, slices, the rate since the last line, usage.
/// <paramref name="records"/>: the records fetched elsewhere (by executors), instead of this process's own.
/// </summary>
public sealed class ProgressReporter(RunContext run, Func<(int Done, int Total)> slices, Func<long>? records = null)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stats = run.Source.Stats;
        long lastRecords = 0;
        var lastTime = run.Watch.Elapsed;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), run.Time, cancellationToken);
                var elapsed = run.Watch.Elapsed;
                var fetched = records?.Invoke() ?? stats.Records;
                var (done, total) = slices();
                run.Log.Progress($"{fetched} records", new ProgressEvent(fetched, stats.Pages, stats.Bytes, stats.Requests, stats.RateLimited, stats.Retries,
                    done, total, Math.Round((fetched - lastRecords) / Math.Max(0.001, (elapsed - lastTime).TotalSeconds), 1)), run.Usage.Snapshot());
                lastRecords = fetched;
                lastTime = elapsed;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
