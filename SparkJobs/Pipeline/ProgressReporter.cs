using OpsConsole.Shared.Jobs;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>A <c>progress</c> line every second while slices are fetched: totals, slices, the rate since the last line, usage.</summary>
public sealed class ProgressReporter(RunContext run, Func<(int Done, int Total)> slices)
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
                var records = stats.Records;
                var (done, total) = slices();
                run.Log.Progress($"{records} records", new ProgressEvent(records, stats.Pages, stats.Bytes, stats.Requests, stats.RateLimited, stats.Retries,
                    done, total, Math.Round((records - lastRecords) / Math.Max(0.001, (elapsed - lastTime).TotalSeconds), 1)), run.Usage.Snapshot());
                lastRecords = records;
                lastTime = elapsed;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
