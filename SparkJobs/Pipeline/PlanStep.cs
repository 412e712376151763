using OpsConsole.Shared.Jobs;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Planning;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// Plan: the window (an explicit one; the checkpoint minus the lookback; or, for a full sync or a first run, from the
/// oldest object the source has) up to now minus the safety lag, cut into slices, without those an earlier attempt of
/// this run finished. The window is kept in staging, so a restarted run fetches exactly the window it planned.
/// </summary>
public sealed class PlanStep(RunContext run)
{
    /// <summary>The source keeps 30 days of change events: an incremental run from an older cursor would miss changes.</summary>
    private const long EventsKeptSeconds = 30L * 86_400;

    public async Task<RunPlan> RunAsync(CancellationToken cancellationToken)
    {
        var options = run.Options;
        var window = await run.Staging.ReadWindowAsync(cancellationToken);
        if (window is null)
        {
            window = await NewWindowAsync(cancellationToken);
            await run.Staging.WriteWindowAsync(window, cancellationToken);
        }
        else
        {
            run.Log.Info($"Resuming run {options.RunId} with the window its first attempt planned");
        }
        var done = (await run.State.CompletedSlicesAsync(options.Source, run.Stream, options.RunId, cancellationToken))
            .Select(s => new Slice(s.From, s.To)).ToHashSet();
        // Pages of a slice an earlier attempt did not finish are dropped; finished slices are kept and skipped.
        await run.Staging.ClearUnfinishedAsync(done, cancellationToken);
        var remaining = SlicePlanner.Remaining(SlicePlanner.Plan(window.From, window.To, window.SliceSeconds), done);
        run.Log.Plan($"Run {options.RunId}: {run.Stream} created in [{window.From}, {window.To}), {remaining.Count} slices to fetch ({done.Count} already done), {options.Workers} workers",
            new PlanEvent(options.RunId, run.Stream, window.From, window.To, remaining.Count, done.Count, options.Workers, run.Checkpoint?.Cursor,
                run.Checkpoint?.Version ?? 0, options.Mode.ToString().ToLowerInvariant()));
        return new RunPlan(window, remaining, done.Count);
    }

    private async Task<RunWindow> NewWindowAsync(CancellationToken cancellationToken)
    {
        var options = run.Options;
        var to = options.To ?? run.Now - options.SafetyLagSeconds;
        var fromOldest = options.From is null && (options.Mode == IngestMode.Full || run.Checkpoint?.Cursor is null);
        if (fromOldest)
        {
            run.Log.Info($"No checkpoint or a full sync: finding the oldest {run.Stream} object to start from");
        }
        if (options.From is null && options.Mode == IngestMode.Incremental && run.Checkpoint?.Cursor is { } last
            && run.Now - (last - options.LookbackSeconds) > EventsKeptSeconds)
        {
            throw new RunRefusedException(
                "The checkpoint is older than the 30 days of events the source keeps: changes before then cannot be seen. Run a full refresh (--mode full).");
        }
        var start = options.From ?? (fromOldest ? await EarliestCreatedAsync(to, cancellationToken) : run.Checkpoint!.Cursor!.Value - options.LookbackSeconds);
        return new RunWindow(start, to, options.SliceSeconds, run.Time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The oldest <c>created</c> before <paramref name="to"/>, found with one-object probes (requests, not records), a round of them
    /// in parallel (as many as the run has workers, up to 16; the source's rate limit paces them): each round splits
    /// the interval still in question at its probes, so about 10 rounds instead of 31 one-at-a-time halvings. Each
    /// round is logged, so the run shows what planning is doing. <paramref name="to"/> when there is nothing.
    /// </summary>
    private async Task<long> EarliestCreatedAsync(long to, CancellationToken cancellationToken)
    {
        Task<bool> AnyBefore(long time) => run.Source.AnyCreatedBeforeAsync(time, cancellationToken);

        if (!await AnyBefore(to))
        {
            return to;
        }
        var probes = Math.Clamp(run.Options.Workers, 1, 16);
        long low = 1, high = to; // AnyBefore(high) is true; the smallest such time is in [low, high].
        for (var round = 1; low < high; round++)
        {
            var points = Enumerable.Range(1, probes).Select(i => low + (long)((high - low) * (double)i / (probes + 1))).Distinct().ToList();
            var answers = await Task.WhenAll(points.Select(AnyBefore));
            var first = Array.IndexOf(answers, true);
            if (first < 0)
            {
                low = points[^1] + 1;
            }
            else
            {
                high = points[first];
                low = first > 0 ? points[first - 1] + 1 : low;
            }
            run.Log.Info($"Planning: the oldest {run.Stream} object was created in [{Utc(low - 1)}, {Utc(high)}] (round {round}, {points.Count} probes)",
                new Dictionary<string, object?> { ["from"] = low - 1, ["to"] = high, ["round"] = round, ["probes"] = points.Count });
        }
        return low - 1;
    }

    private static string Utc(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
