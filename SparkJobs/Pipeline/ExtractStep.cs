using System.Text.Json;
using System.Threading.Channels;
using OpsConsole.Shared.State;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Planning;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// Extract and stage: workers take slices from a queue and write each page the source sends to staging as it comes;
/// a finished slice is recorded in the state store (a restart skips it), and a slice found too big for one worker
/// goes back as smaller pieces. Then the objects created before the window that changed since the last run are
/// fetched again, so the table ends with their latest version.
/// </summary>
public sealed class ExtractStep(RunContext run)
{
    private int _slicesDone;
    private int _slicesTotal;
    private long _executorRecords;

    public async Task RunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        _slicesDone = plan.Done;
        _slicesTotal = plan.Done + plan.Remaining.Count;
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new ProgressReporter(run, () => (Volatile.Read(ref _slicesDone), Volatile.Read(ref _slicesTotal)),
            run.Options.Executors > 1 ? () => Volatile.Read(ref _executorRecords) : null).RunAsync(progressStop.Token);
        try
        {
            if (run.Options.Executors > 1)
            {
                await DistributeAsync(plan, cancellationToken);
            }
            else
            {
                await FetchAllAsync(plan.Remaining, cancellationToken);
            }
            await RefetchChangedAsync(plan.Window.From, cancellationToken);
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }
        CrashPoints.Reach(CrashPoints.Staged);
    }

    /// <summary>Workers take slices from a queue; the first that fails stops the others, and its error is what the run reports.</summary>
    private async Task FetchAllAsync(IReadOnlyList<Slice> remaining, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<Slice>();
        var outstanding = remaining.Count;
        foreach (var slice in remaining)
        {
            queue.Writer.TryWrite(slice);
        }
        if (outstanding == 0)
        {
            queue.Writer.Complete();
        }
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(1, run.Options.Workers).Select(n => Task.Run(async () =>
        {
            try
            {
                await foreach (var slice in queue.Reader.ReadAllAsync(failed.Token))
                {
                    var outcome = await FetchSliceAsync(slice, $"executor-{n}", failed.Token);
                    if (outcome.Done is { } done)
                    {
                        await RecordAsync(done, failed.Token);
                        CrashPoints.Reach(CrashPoints.SliceRecorded);
                        outcome.Report(run.Log, slice, $"executor-{n}");
                    }
                    // The slice counts once: as its finished part, or as one of its pieces when nothing of it is finished.
                    var finished = outcome.Done is not null;
                    Interlocked.Add(ref _slicesTotal, outcome.Pieces.Count - (finished ? 0 : 1));
                    if (finished)
                    {
                        Interlocked.Increment(ref _slicesDone);
                    }
                    Interlocked.Add(ref outstanding, outcome.Pieces.Count);
                    foreach (var piece in outcome.Pieces)
                    {
                        queue.Writer.TryWrite(piece);
                    }
                    if (Interlocked.Decrement(ref outstanding) == 0)
                    {
                        queue.Writer.Complete();
                    }
                }
            }
            catch (Exception) when (!failed.IsCancellationRequested)
            {
                await failed.CancelAsync();
                throw;
            }
        }, CancellationToken.None));
        // A faulted worker's error wins over the others' cancellation: awaiting WhenAll rethrows a fault first.
        await Task.WhenAll(workers);
    }

    /// <summary>
    /// Fetches one slice page by page into staging and records it as finished. When the first page shows the slice
    /// holds more than <see cref="IngestOptions.MaxSlicePages"/> pages, that page finishes the newest part of the
    /// slice (everything created after its oldest second) and the rest comes back as pieces for the queue.
    /// </summary>
    internal async Task<SliceOutcome> FetchSliceAsync(Slice slice, string source, CancellationToken cancellationToken)
    {
        var page = 0;
        long records = 0;
        await run.Staging.ClearAsync(slice, cancellationToken);
        await foreach (var result in run.Source.ListAsync(slice.From, slice.To, cancellationToken))
        {
            using (result)
            {
                // A record without a usable created is not a reason to stop: the transform rejects it with the reason.
                if (page == 0 && result.HasMore && result.Count > 0 && CreatedOf(result.Data[result.Count - 1]) is { } oldest
                    && SlicePlanner.Split(slice, oldest, run.Options.MaxSlicePages) is { } split)
                {
                    return await SplitAsync(slice, result, oldest, split, source, cancellationToken);
                }
                await run.Staging.WriteAsync(run.Staging.PagePath(slice, page++), result.Data.EnumerateArray(), cancellationToken);
                CrashPoints.Reach(CrashPoints.PageStaged);
                records += result.Count;
            }
        }
        return new SliceOutcome(new CompletedSlice(slice.From, slice.To, records), [], page);
    }

    /// <summary>The first page finishes the slice's newest part (its head); the rest is cut into pieces.</summary>
    private async Task<SliceOutcome> SplitAsync(Slice slice, Sources.SourcePage first, long oldest, SliceSplit split, string source,
        CancellationToken cancellationToken)
    {
        CompletedSlice? done = null;
        if (split.Head is { } head)
        {
            await run.Staging.ClearAsync(head, cancellationToken);
            var newer = first.Data.EnumerateArray().Where(o => CreatedOf(o) is not { } created || created >= head.From).ToList();
            await run.Staging.WriteAsync(run.Staging.PagePath(head, 0), newer, cancellationToken);
            CrashPoints.Reach(CrashPoints.PageStaged);
            done = new CompletedSlice(head.From, head.To, newer.Count);
        }
        run.Log.Slice($"Slice {slice} is too big for one worker (about {slice.Seconds / Math.Max(1, slice.To - oldest)} pages): "
                      + (split.Head is { } h ? $"{h} done with its first page, " : "") + $"the rest cut into {split.Pieces.Count}",
            new Shared.Jobs.SliceEvent(slice.From, slice.To, SplitInto: split.Pieces.Count), source);
        return new SliceOutcome(done, split.Pieces, done is null ? 0 : 1);
    }

    /// <summary>
    /// The slices go to the run's queue in the state store and executor pods fetch them; this process waits until the
    /// queue is finished, reporting progress. With no slice finished and none held for
    /// <see cref="IngestOptions.ExecutorWait"/>, the executors are given up (their pods never started, or all failed).
    /// </summary>
    private async Task DistributeAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        var options = run.Options;
        await run.State.QueueSlicesAsync(options.Source, run.Stream, options.RunId, [.. plan.Remaining.Select(s => new SliceRange(s.From, s.To))], cancellationToken);
        run.Log.Info($"{plan.Remaining.Count} slices queued for {options.Executors} executors",
            new Dictionary<string, object?> { ["slices"] = plan.Remaining.Count, ["executors"] = options.Executors });
        var (lastDone, idleSince) = (-1, run.Watch.Elapsed);
        while (true)
        {
            var status = await run.State.SliceQueueAsync(options.Source, run.Stream, options.RunId, cancellationToken);
            Volatile.Write(ref _slicesDone, plan.Done + status.Done);
            Volatile.Write(ref _slicesTotal, plan.Done + status.Total);
            Volatile.Write(ref _executorRecords, status.Records);
            if (status.Finished || status.Total == 0)
            {
                return;
            }
            if (status.Done != lastDone || status.Held > 0)
            {
                (lastDone, idleSince) = (status.Done, run.Watch.Elapsed);
            }
            else if (run.Watch.Elapsed - idleSince > options.ExecutorWait)
            {
                throw new ExecutorsLostException($"No executor finished or held a slice for {options.ExecutorWait.TotalSeconds:0} s "
                    + $"({status.Done} of {status.Total} slices done): the executors did not start or all of them failed.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), run.Time, cancellationToken);
        }
    }

    private Task RecordAsync(CompletedSlice slice, CancellationToken cancellationToken) =>
        run.State.RecordSliceAsync(run.Options.Source, run.Stream, run.Options.RunId, slice, cancellationToken);

    /// <summary>
    /// Objects created before the window but changed since the last run (a refund, an update) are fetched again, so
    /// the table ends up with their latest version. The source's change feed goes back 30 days only.
    /// </summary>
    private async Task RefetchChangedAsync(long windowFrom, CancellationToken cancellationToken)
    {
        var options = run.Options;
        if (options.Mode == IngestMode.Full || run.Checkpoint?.Cursor is not { } cursor)
        {
            return;
        }
        var since = Math.Max(cursor - options.LookbackSeconds, run.Now - (30L * 86_400));
        var changed = await run.Source.ChangedSinceAsync(since, windowFrom, cancellationToken);
        var fetched = new List<JsonElement>();
        var fetchedLock = new Lock();
        await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = cancellationToken },
            async (id, token) =>
            {
                if (await run.Source.RetrieveAsync(id, token) is { } current)
                {
                    lock (fetchedLock)
                    {
                        fetched.Add(current);
                    }
                }
            });
        await run.Staging.ClearAsync(null, cancellationToken);
        for (var page = 0; page * 100 < fetched.Count; page++)
        {
            await run.Staging.WriteAsync(run.Staging.UpdatesPath(page), fetched.Skip(page * 100).Take(100), cancellationToken);
        }
        run.Log.Info($"{changed.Count} objects created before the window changed since the last run; fetched them again",
            new Dictionary<string, object?> { ["changed"] = changed.Count, ["since"] = since });
    }

    private static long? CreatedOf(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("created", out var created)
        && created.ValueKind == JsonValueKind.Number && created.TryGetInt64(out var value) ? value : null;

    /// <summary>A fetched slice: its finished part (null when nothing of it is), and the pieces still to fetch.</summary>
    internal sealed record SliceOutcome(CompletedSlice? Done, IReadOnlyList<Slice> Pieces, int Pages)
    {
        /// <summary>The slice's line in the log once its finished part is recorded (a split slice said so when it was cut).</summary>
        public void Report(Logging.JobLog log, Slice slice, string source)
        {
            if (Done is { } done && Pieces.Count == 0)
            {
                log.Slice($"Slice {slice} done: {done.Records} records in {Pages} pages", new Shared.Jobs.SliceEvent(slice.From, slice.To, done.Records, Pages), source);
            }
        }
    }
}
