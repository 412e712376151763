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
    /// A start at or before the oldest <c>created</c> before <paramref name="to"/>, found with one-object probes (requests,
    /// not records), a round of them in parallel (as many as the run has workers, 2 to 16; the source's rate limit paces
    /// them). The first round looks back from <paramref name="to"/> at geometric distances (a slice, then growing to the
    /// epoch), so a young stream is bounded at once and an old one within a factor; later rounds split the interval still
    /// in question at their probes. The search stops once that interval is at most as many slices as a round has probes:
    /// another round would cost as many requests as the empty slices it saves. Each round is logged, so the run shows
    /// what planning is doing. <paramref name="to"/> when there is nothing.
    /// </summary>
    private async Task<long> EarliestCreatedAsync(long to, CancellationToken cancellationToken)
    {
        var probes = Math.Clamp(run.Options.Workers, 2, 16);
        var enough = Math.Max(1, run.Options.SliceSeconds) * probes;
        long low = 1, high = to; // the smallest time with an object created before it is in [low, high] once AnyBefore(high) holds.
        var points = FirstRound(to, probes, run.Options.SliceSeconds);
        for (var round = 1; ; round++)
        {
            var answers = await Task.WhenAll(points.Select(time => run.Source.AnyCreatedBeforeAsync(time, cancellationToken)));
            var first = Array.IndexOf(answers, true);
            if (round == 1 && first < 0)
            {
                run.Log.Info($"Planning: no {run.Stream} object was created before {Utc(to)} (round 1, {points.Count} probes)");
                return to;
            }
            if (first < 0)
            {
                low = points[^1] + 1;
            }
            else
            {
                high = points[first];
                low = first > 0 ? points[first - 1] + 1 : low;
            }
            run.Log.Planning($"Planning: the oldest {run.Stream} object was created in [{Utc(low - 1)}, {Utc(high)}] (round {round}, {points.Count} probes)",
                new PlanningEvent(round, points.Count, low - 1, high));
            if (high - low < enough)
            {
                return low - 1;
            }
            points = [.. Enumerable.Range(1, probes).Select(i => low + (long)((high - low) * (double)i / (probes + 1))).Distinct()];
        }
    }

    /// <summary><paramref name="to"/> itself and <paramref name="probes"/> - 1 times before it at distances growing geometrically from one slice to the epoch, ascending.</summary>
    public static List<long> FirstRound(long to, int probes, long sliceSeconds)
    {
        var step = (double)Math.Max(1, sliceSeconds);
        var span = Math.Max(1, to - 1);
        var distances = probes - 1;
        var ratio = distances > 1 ? Math.Pow(Math.Max(1, span / step), 1.0 / (distances - 1)) : 1;
        var points = new SortedSet<long> { to };
        for (var i = 0; i < distances; i++)
        {
            // The last one reaches the epoch exactly; one probe alone halves the span.
            var distance = distances == 1 ? span / 2.0 : i == distances - 1 ? span : step * Math.Pow(ratio, i);
            points.Add(Math.Max(1, to - (long)Math.Min(span, distance)));
        }
        return [.. points];
    }

    private static string Utc(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
