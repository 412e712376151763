using System.Diagnostics;
using System.Text.Json;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.SparkJobs.Usage;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// One ingestion run (local engine): take the stream's lease, plan slices over the window, fetch them in parallel
/// under one rate gate and stage the raw pages, re-fetch objects changed since the last run (events), transform,
/// merge into the table (one commit), then advance the checkpoint with a conditional write. A restarted run with
/// the same run id skips the slices it finished and never commits twice.
/// </summary>
public sealed class IngestJob(IngestOptions options, JobLog log, TimeProvider? time = null)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(2);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ResourceUsage _usage = new();

    // The lease holder names the run and this process, so two processes with one run id cannot both hold the stream.
    private readonly string _holder = LeaseHolder.ForThisProcess(options.RunId);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var stream = options.Stream.Name;
        IStateStore state;
        ILakeStorage storage;
        try
        {
            state = new CountingStateStore(StateStores.Open(options.State, _time), _usage);
            storage = new CountingLakeStorage(LakeStorages.Open(options.Lake), _usage);
        }
        catch (StoreUnavailableException exception)
        {
            log.Error($"The lake or state store cannot be opened: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }

        try
        {
            await AcquireLeaseAsync(state, cancellationToken);
        }
        catch (StreamLeaseHeldException held)
        {
            log.Error($"Not started: {held.Message} One run per stream at a time.", new Dictionary<string, object?> { ["holder"] = held.Holder?.Holder });
            return JobExitCodes.InvalidArguments;
        }
        catch (StoreUnavailableException exception)
        {
            log.Error($"The state store failed: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }

        // The run stops if its lease is lost: another run may own the stream now.
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(state, leaseLost, renewal.Token);
        try
        {
            return await RunLeasedAsync(state, storage, leaseLost.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Warn("Cancelled: nothing was committed by this attempt after the last finished step; the checkpoint did not move.", usage: _usage.Snapshot());
            return JobExitCodes.Cancelled;
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            log.Error("Stopped: the stream's lease was lost to another holder; this run committed nothing after that.", usage: _usage.Snapshot());
            return JobExitCodes.StoreFailed;
        }
        catch (SourceFailedException failed)
        {
            log.Error($"The source failed: {failed.Message}", usage: _usage.Snapshot());
            return JobExitCodes.SourceFailed;
        }
        catch (SourceRejectedException rejected)
        {
            log.Error($"The source refused the job: {rejected.Message}", usage: _usage.Snapshot());
            return JobExitCodes.SourceFailed;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException or CheckpointConflictException)
        {
            log.Error($"The lake or state store failed: {exception.Message}", usage: _usage.Snapshot());
            return JobExitCodes.StoreFailed;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
            try
            {
                await state.ReleaseLeaseAsync(options.Source, stream, _holder, CancellationToken.None);
            }
            catch (StoreUnavailableException exception)
            {
                log.Warn($"Could not release the stream's lease (it expires by itself within {LeaseDuration.TotalMinutes:0} minutes): {exception.Message}");
            }
        }
    }

    /// <summary>
    /// Takes the stream's lease. A lease whose holder was a process on this machine that has since died (kill -9, a
    /// crash) is taken over at once rather than after it expires, so a rerun after a crash does not wait.
    /// </summary>
    private async Task AcquireLeaseAsync(IStateStore state, CancellationToken cancellationToken)
    {
        try
        {
            await state.AcquireLeaseAsync(options.Source, options.Stream.Name, _holder, LeaseDuration, cancellationToken);
        }
        catch (StreamLeaseHeldException held) when (held.Holder is { } dead && LeaseHolder.IsDeadHere(dead.Holder))
        {
            log.Warn($"The stream was held by {dead.Holder}, a process on this machine that has ended without releasing it; taking the lease over.",
                new Dictionary<string, object?> { ["previous_holder"] = dead.Holder });
            // Conditional on the dead holder: if someone else took the stream meanwhile, acquiring below names them.
            await state.ReleaseLeaseAsync(options.Source, options.Stream.Name, dead.Holder, cancellationToken);
            await state.AcquireLeaseAsync(options.Source, options.Stream.Name, _holder, LeaseDuration, cancellationToken);
        }
    }

    private async Task<int> RunLeasedAsync(IStateStore state, ILakeStorage storage, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var stream = options.Stream;
        var checkpoint = await state.GetCheckpointAsync(options.Source, stream.Name, cancellationToken);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var to = options.To ?? now - options.SafetyLagSeconds;
        using var client = new StripeClient(new StripeClientOptions
        {
            BaseAddress = options.ApiBase,
            Credentials = options.Credentials,
            RequestsPerSecond = options.RequestsPerSecond,
            RequestTimeout = options.RequestTimeout,
        });
        var table = new LakeTable(storage, options.TablePath, StreamSchema.For(stream.Name), new ParquetFormat());
        var snapshot = await table.Log.ReadSnapshotAsync(cancellationToken);
        if (snapshot.Transactions.TryGetValue(LakeTable.TransactionId(options.RunId), out var committedTo))
        {
            // Committed before (the run crashed or was restarted after its commit): only the checkpoint may be missing.
            var advanced = checkpoint?.UpdatedBy == options.RunId ? checkpoint
                : await state.WriteCheckpointAsync(options.Source, stream.Name, Math.Max(committedTo, checkpoint?.Cursor ?? long.MinValue),
                    checkpoint?.Version ?? 0, options.RunId, $"run {options.RunId} committed earlier; checkpoint completed on rerun", cancellationToken);
            await DeleteStagingAsync(new Staging(storage, options.TablePath, options.RunId));
            log.Summary($"Run {options.RunId} was already committed; checkpoint {advanced.Cursor} (version {advanced.Version})",
                new SummaryEvent(0, advanced.Cursor, advanced.Version) { AlreadyCommitted = true });
            return JobExitCodes.Ok;
        }

        if (options.From is null && (options.Mode == IngestMode.Full || checkpoint?.Cursor is null))
        {
            log.Info($"No checkpoint or a full sync: finding the oldest {stream.Name} object to start from");
        }
        var staging = new Staging(storage, options.TablePath, options.RunId);
        var window = await staging.ReadWindowAsync(cancellationToken);
        if (window is null)
        {
            if (options.From is null && options.Mode == IngestMode.Incremental && checkpoint?.Cursor is { } last &&
                now - (last - options.LookbackSeconds) > 30L * 86_400)
            {
                log.Error("The checkpoint is older than the 30 days of events the source keeps: changes before then cannot be seen. Run a full refresh (--mode full).");
                return JobExitCodes.InvalidArguments;
            }
            var start = options.From
                ?? (options.Mode == IngestMode.Full || checkpoint?.Cursor is null
                    ? await EarliestCreatedAsync(client, to, cancellationToken)
                    : checkpoint.Cursor.Value - options.LookbackSeconds);
            window = new RunWindow(start, to, options.SliceSeconds, _time.GetUtcNow().ToUnixTimeMilliseconds());
            await staging.WriteWindowAsync(window, cancellationToken);
        }
        else
        {
            log.Info($"Resuming run {options.RunId} with the window its first attempt planned");
        }
        var from = window.From;
        to = window.To;
        var done = (await state.CompletedSlicesAsync(options.Source, stream.Name, options.RunId, cancellationToken))
            .Select(s => new Slice(s.From, s.To)).ToHashSet();
        // Pages of a slice an earlier attempt did not finish are dropped; finished slices are kept and skipped.
        await staging.ClearUnfinishedAsync(done, cancellationToken);
        var remaining = SlicePlanner.Remaining(SlicePlanner.Plan(from, to, window.SliceSeconds), done);
        log.Info($"Run {options.RunId}: {stream.Name} created in [{from}, {to}), {remaining.Count} slices to fetch ({done.Count} already done), {options.Workers} workers",
            new Dictionary<string, object?>
            {
                ["run_id"] = options.RunId, ["stream"] = stream.Name, ["from"] = from, ["to"] = to,
                ["checkpoint_version"] = checkpoint?.Version ?? 0, ["cursor"] = checkpoint?.Cursor, ["mode"] = options.Mode.ToString().ToLowerInvariant(),
            });

        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var slicesDone = done.Count;
        var slicesTotal = done.Count + remaining.Count;
        var progress = ReportProgressAsync(client.Stats, watch, () => (Volatile.Read(ref slicesDone), Volatile.Read(ref slicesTotal)), progressStop.Token);

        try
        {
            // Workers take slices from a queue; a slice found to be too big goes back as smaller pieces.
            var queue = System.Threading.Channels.Channel.CreateUnbounded<Slice>();
            var outstanding = remaining.Count;
            foreach (var slice in remaining)
            {
                queue.Writer.TryWrite(slice);
            }
            if (outstanding == 0)
            {
                queue.Writer.Complete();
            }
            // The first worker that fails stops the others, and its error (not their cancellation) is what the run reports.
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var workers = Enumerable.Range(1, options.Workers).Select(n => Task.Run(async () =>
            {
                var source = $"executor-{n}";
                try
                {
                    await foreach (var slice in queue.Reader.ReadAllAsync(failed.Token))
                    {
                        var outcome = await FetchSliceAsync(client, staging, state, slice, source, failed.Token);
                        // The slice counts once: as its finished part, or as one of its pieces when nothing of it is finished.
                        Interlocked.Add(ref slicesTotal, outcome.Pieces.Count - (outcome.Finished ? 0 : 1));
                        if (outcome.Finished)
                        {
                            Interlocked.Increment(ref slicesDone);
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

            await RefetchChangedAsync(client, staging, checkpoint, from, now, cancellationToken);
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }

        CrashPoints.Reach(CrashPoints.Staged);
        var fetchSeconds = watch.Elapsed.TotalSeconds;
        var completed = await state.CompletedSlicesAsync(options.Source, stream.Name, options.RunId, cancellationToken);
        var finished = completed.Select(s => new Slice(s.From, s.To)).ToList();
        log.Info($"Fetched and staged {completed.Sum(s => s.Records)} records of {finished.Count} slices in {fetchSeconds:0.0} s; merging into the table partition by partition",
            new Dictionary<string, object?> { ["records"] = completed.Sum(s => s.Records), ["slices"] = finished.Count, ["seconds"] = Math.Round(fetchSeconds, 3) });
        // Earlier committed runs are the anomaly strategies' baseline (a rerun of this run id does not judge itself).
        var history = (await state.QualityReportsAsync(options.Source, stream.Name, AnomalyRule.MaxHistory, committedOnly: true, cancellationToken))
            .Where(r => r.RunId != options.RunId).ToList();
        var schema = StreamSchema.For(stream.Name);
        QualityReport? report = null;
        var batch = new StagedBatch(staging,
            () => new RecordTransformer(schema, options.RunId, DateTimeOffset.FromUnixTimeMilliseconds(window.StartedAtUnixMilliseconds)), finished,
            () => new QualityEvaluator(options.Rules?.Build(history) ?? [], schema.IndexOf("id")),
            async (transformer, quality, token) =>
            {
                report = await quality.FinishAsync(options.RunId, options.Source, stream.Name, new QualityContext
                {
                    Rows = transformer.Count, Rejected = transformer.RejectedCount, Now = _time.GetUtcNow().ToUnixTimeSeconds(),
                    WindowFrom = from, WindowTo = to, History = history,
                    ReadColumn = (other, column, ct) => new LakeTable(storage, $"raw/{options.Source}/{other}", StreamSchema.For(other), new ParquetFormat())
                        .ReadColumnAsync(column, ct),
                }, token);
                if (report.Blocked)
                {
                    throw new QualityBlockedException(report with { Quarantine = staging.Folder });
                }
            });
        var lastReport = watch.Elapsed;
        MergeResult merge;
        try
        {
            merge = await table.MergeAsync(batch.PartitionsAsync, options.RunId, to, soFar =>
            {
                if (watch.Elapsed - lastReport >= TimeSpan.FromSeconds(2))
                {
                    lastReport = watch.Elapsed;
                    log.Info($"Merging: {soFar.Partitions} of {batch.PartitionCount} partitions written ({soFar.Inserted} new, {soFar.Replaced} updated records)",
                        new Dictionary<string, object?> { ["partitions"] = soFar.Partitions, ["of"] = batch.PartitionCount, ["inserted"] = soFar.Inserted, ["replaced"] = soFar.Replaced });
                }
            }, cancellationToken);
        }
        catch (QualityBlockedException blocked)
        {
            // Nothing was committed and the checkpoint stays; the raw pages stay in staging as the quarantine.
            await PublishQualityAsync(state, storage, blocked.Report, cancellationToken);
            log.Error($"{blocked.Message}. Nothing was committed and the checkpoint did not move; the run's raw pages are kept in {blocked.Report.Quarantine} for inspection.",
                new Dictionary<string, object?> { ["quarantine"] = blocked.Report.Quarantine, ["report"] = options.ReportPath }, usage: _usage.Snapshot());
            return JobExitCodes.BlockedByQualityRule;
        }
        var mergeSeconds = watch.Elapsed.TotalSeconds - fetchSeconds;
        var transformer = batch.Transformer;
        if (transformer.RejectedCount > 0)
        {
            log.Warn($"{transformer.RejectedCount} records could not become rows and were left out of the table",
                new Dictionary<string, object?> { ["rejected"] = transformer.RejectedCount, ["examples"] = transformer.Rejected.Take(5).ToList() });
        }
        if (merge.Moved.Count > 0)
        {
            log.Warn($"{merge.Moved.Count} ids came from the source under more than one day; each is kept once, at its latest version: "
                     + string.Join(", ", merge.Moved.Take(5).Select(m => $"{m.Id} in {m.Kept} (not {string.Join(", ", m.Dropped)})")),
                new Dictionary<string, object?> { ["moved"] = merge.Moved.Count, ["examples"] = merge.Moved.Take(5).Select(m => m.Id).ToList() });
        }
        if (transformer.UnknownFields.Count > 0)
        {
            log.Warn($"Unknown fields kept in _extra: {string.Join(", ", transformer.UnknownFields.Keys.Order(StringComparer.Ordinal))}",
                new Dictionary<string, object?> { ["unknown_fields"] = transformer.UnknownFields });
        }

        log.Info(merge.AlreadyCommitted
            ? $"Run {options.RunId} was already committed at version {merge.Version}; nothing new to commit"
            : $"Committed table version {merge.Version}: {merge.Inserted} new and {merge.Replaced} updated records in {merge.Partitions} partitions in {mergeSeconds:0.0} s",
            new Dictionary<string, object?> { ["version"] = merge.Version, ["inserted"] = merge.Inserted, ["replaced"] = merge.Replaced, ["seconds"] = Math.Round(mergeSeconds, 3) });

        CrashPoints.Reach(CrashPoints.Committed);
        // The cursor only moves forward: a backfill of an older window leaves it where it is.
        var cursor = Math.Max(to, checkpoint?.Cursor ?? long.MinValue);
        var written = await state.WriteCheckpointAsync(options.Source, stream.Name, cursor, checkpoint?.Version ?? 0, options.RunId,
            $"run {options.RunId} committed table version {merge.Version}", cancellationToken);

        CrashPoints.Reach(CrashPoints.Checkpointed);
        if (report is not null)
        {
            // The run is committed and its checkpoint written: a report that cannot be stored is worth a warning, not a failure.
            try
            {
                await PublishQualityAsync(state, storage, report, CancellationToken.None);
            }
            catch (IOException exception)
            {
                log.Warn($"The data-quality report could not be stored ({exception.Message}); the run's data is committed.");
            }
        }
        // The records are in the table and the checkpoint has moved: the raw pages have served their purpose.
        await DeleteStagingAsync(staging);

        var stats = client.Stats;
        // The table's size after the commit: what its storage costs until the next run.
        var tableBytes = (await table.Log.ReadSnapshotAsync(cancellationToken)).Files.Values.Sum(f => f.Size);
        log.Summary($"Run {options.RunId} succeeded: {transformer.Count} records, checkpoint {written.Cursor} (version {written.Version})",
            new SummaryEvent(transformer.Count, written.Cursor, written.Version)
            {
                TableBytes = tableBytes, Pages = stats.Pages, Requests = stats.Requests, Bytes = stats.Bytes, RateLimited = stats.RateLimited,
                Retries = stats.Retries, Rejected = transformer.RejectedCount, TableVersion = merge.Version, Quality = report?.Outcome,
                Seconds = Math.Round(watch.Elapsed.TotalSeconds, 3),
            }, _usage.Snapshot());
        return JobExitCodes.Ok;
    }

    /// <summary>
    /// Fetches one slice page by page into staging and records it as finished. When the first page shows the slice
    /// holds more than <see cref="IngestOptions.MaxSlicePages"/> pages, that page finishes the newest part of the
    /// slice (everything created after its oldest second) and the rest comes back as pieces for the queue.
    /// </summary>
    private async Task<SliceOutcome> FetchSliceAsync(StripeClient client, Staging staging, IStateStore state, Slice slice, string source,
        CancellationToken cancellationToken)
    {
        var page = 0;
        long records = 0;
        await staging.ClearAsync(slice, cancellationToken);
        await foreach (var result in client.ListAsync(options.Stream, slice.From, slice.To, cancellationToken))
        {
            using (result)
            {
                // A record without a usable created is not a reason to stop: the transform rejects it with the reason.
                if (page == 0 && result.HasMore && result.Count > 0 && CreatedOf(result.Data[result.Count - 1]) is { } oldest
                    && SlicePlanner.Split(slice, oldest, options.MaxSlicePages) is { } split)
                {
                    var finished = false;
                    if (split.Head is { } head)
                    {
                        await staging.ClearAsync(head, cancellationToken);
                        var newer = result.Data.EnumerateArray().Where(o => CreatedOf(o) is not { } created || created >= head.From).ToList();
                        await staging.WriteAsync(staging.PagePath(head, 0), newer, cancellationToken);
                        CrashPoints.Reach(CrashPoints.PageStaged);
                        await state.RecordSliceAsync(options.Source, options.Stream.Name, options.RunId, new CompletedSlice(head.From, head.To, newer.Count), cancellationToken);
                        finished = true;
                    }
                    log.Slice($"Slice {slice} is too big for one worker (about {slice.Seconds / Math.Max(1, slice.To - oldest)} pages): "
                              + (split.Head is { } h ? $"{h} done with its first page, " : "") + $"the rest cut into {split.Pieces.Count}",
                        new SliceEvent(slice.From, slice.To, SplitInto: split.Pieces.Count), source);
                    return new SliceOutcome(split.Pieces, finished);
                }
                await staging.WriteAsync(staging.PagePath(slice, page++), result.Data.EnumerateArray(), cancellationToken);
                CrashPoints.Reach(CrashPoints.PageStaged);
                records += result.Count;
            }
        }
        await state.RecordSliceAsync(options.Source, options.Stream.Name, options.RunId, new CompletedSlice(slice.From, slice.To, records), cancellationToken);
        CrashPoints.Reach(CrashPoints.SliceRecorded);
        log.Slice($"Slice {slice} done: {records} records in {page} pages", new SliceEvent(slice.From, slice.To, records, page), source);
        return new SliceOutcome([], Finished: true);
    }

    /// <summary>
    /// The data-quality report goes next to the run in the lake and into the state store the console reads, and its
    /// outcome and failing rules into the log as a <c>dq</c> event (one line, so a console following the log sees it).
    /// </summary>
    private async Task PublishQualityAsync(IStateStore state, ILakeStorage storage, QualityReport report, CancellationToken cancellationToken)
    {
        await storage.WriteAsync(options.ReportPath, System.Text.Encoding.UTF8.GetBytes(report.ToJson()), cancellationToken);
        await state.SaveQualityReportAsync(report, cancellationToken);
        var failing = report.Rules.Where(r => r.Outcome == RuleOutcome.Failed).ToList();
        log.Quality(failing.Count == 0
                ? $"Data quality {report.Outcome}: {report.Rules.Count(r => r.Outcome == RuleOutcome.Passed)} rules passed, {report.Rules.Count(r => r.Outcome == RuleOutcome.Skipped)} skipped"
                : $"Data quality {report.Outcome}: {failing.Count} of {report.Rules.Count} rules failed: {string.Join("; ", failing.Take(5).Select(r => $"{r.Rule} ({r.Severity.ToString().ToLowerInvariant()}{(r.Blocking ? ", blocking" : "")}): {r.Message}"))}",
            new QualityEvent(report.Outcome, report.Rules.Count, failing.Count, [.. failing.Select(r => r.Rule)], options.ReportPath));
        foreach (var rule in failing)
        {
            var fields = new Dictionary<string, object?> { ["rule"] = rule.Rule, ["failing"] = rule.Failing, ["samples"] = rule.Samples.Take(5).ToList() };
            if (rule.Severity == Severity.Error || rule.Blocking)
            {
                log.Error($"Data-quality rule {rule.Rule} failed: {rule.Message}", fields);
            }
            else
            {
                log.Warn($"Data-quality rule {rule.Rule} failed: {rule.Message}", fields);
            }
        }
    }

    /// <summary>The run succeeded before this: a staging folder that cannot be deleted is worth a warning, not a failure.</summary>
    private async Task DeleteStagingAsync(Staging staging)
    {
        try
        {
            await staging.DeleteAllAsync(CancellationToken.None);
        }
        catch (IOException exception)
        {
            log.Warn($"The run's staging ({staging.Folder}) could not be deleted; delete it by hand: {exception.Message}");
        }
    }

    private static long? CreatedOf(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("created", out var created)
        && created.ValueKind == JsonValueKind.Number && created.TryGetInt64(out var value) ? value : null;

    /// <summary>A fetched slice: whether (a part of) it is finished, and the pieces still to fetch.</summary>
    private sealed record SliceOutcome(IReadOnlyList<Slice> Pieces, bool Finished);

    /// <summary>
    /// Objects created before the window but changed since the last run (a refund, an update) are fetched again, so
    /// the table ends up with their latest version. Events go back 30 days only: older changes need a full refresh.
    /// </summary>
    private async Task RefetchChangedAsync(StripeClient client, Staging staging, Checkpoint? checkpoint, long windowFrom, long now, CancellationToken cancellationToken)
    {
        if (options.Mode == IngestMode.Full || checkpoint?.Cursor is not { } cursor || options.Stream.ChangeEvents.Count == 0)
        {
            return;
        }
        var since = cursor - options.LookbackSeconds;
        since = Math.Max(since, now - (30L * 86_400));

        var changed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in client.ListAsync(StripeStream.Events, since, null, cancellationToken, options.Stream.ChangeEvents))
        {
            using (page)
            {
                foreach (var e in page.Data.EnumerateArray())
                {
                    var changedObject = e.GetProperty("data").GetProperty("object");
                    if (changedObject.GetProperty("created").GetInt64() < windowFrom && changedObject.GetProperty("id").GetString() is { } id)
                    {
                        changed.Add(id);
                    }
                }
            }
        }

        var fetched = new List<JsonElement>();
        var fetchedLock = new Lock();
        await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = cancellationToken },
            async (id, token) =>
            {
                using var document = await client.RetrieveAsync(options.Stream, id, token);
                if (document is not null)
                {
                    lock (fetchedLock)
                    {
                        fetched.Add(document.RootElement.Clone());
                    }
                }
            });
        await staging.ClearAsync(null, cancellationToken);
        for (var page = 0; page * 100 < fetched.Count; page++)
        {
            await staging.WriteAsync(staging.UpdatesPath(page), fetched.Skip(page * 100).Take(100), cancellationToken);
        }

        log.Info($"{changed.Count} objects created before the window changed since the last run; fetched them again",
            new Dictionary<string, object?> { ["changed"] = changed.Count, ["since"] = since });
    }

    /// <summary>
    /// The oldest <c>created</c> before <paramref name="to"/>, found by bisection with one-object list requests
    /// (about 31), so a full sync plans slices from the first object instead of from 1970. <paramref name="to"/> when
    /// there is nothing.
    /// </summary>
    private async Task<long> EarliestCreatedAsync(StripeClient client, long to, CancellationToken cancellationToken)
    {
        async Task<bool> AnyBefore(long time)
        {
            await foreach (var page in client.ListAsync(options.Stream, null, time, cancellationToken, limit: 1))
            {
                using (page)
                {
                    return page.Count > 0;
                }
            }
            return false;
        }

        if (!await AnyBefore(to))
        {
            return to;
        }
        long low = 1, high = to; // AnyBefore(high) is true; find the smallest such time.
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (await AnyBefore(mid))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low - 1;
    }

    private async Task ReportProgressAsync(SourceStats stats, Stopwatch watch, Func<(int Done, int Total)> slices, CancellationToken cancellationToken)
    {
        long lastRecords = 0;
        var lastTime = watch.Elapsed;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                var elapsed = watch.Elapsed;
                var records = stats.Records;
                log.Progress($"{records} records", new ProgressEvent(records, stats.Pages, stats.Bytes, stats.Requests, stats.RateLimited, stats.Retries,
                    slices().Done, slices().Total, Math.Round((records - lastRecords) / Math.Max(0.001, (elapsed - lastTime).TotalSeconds), 1)), _usage.Snapshot());
                lastRecords = records;
                lastTime = elapsed;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RenewLeaseAsync(IStateStore state, CancellationTokenSource leaseLost, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(LeaseDuration / 4, _time, cancellationToken);
                bool renewed;
                try
                {
                    renewed = await state.RenewLeaseAsync(options.Source, options.Stream.Name, _holder, LeaseDuration, cancellationToken);
                }
                catch (StoreUnavailableException exception)
                {
                    // The lease still has most of its time left: try again at the next beat.
                    log.Warn($"Could not renew the stream's lease: {exception.Message}");
                    continue;
                }
                if (!renewed)
                {
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
