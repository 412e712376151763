using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Pipeline;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.SparkJobs.Usage;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// One executor of a run whose driver queued its slices (<c>ingest --executors N</c>): its workers take slices from
/// the run's queue in the state store, each under a lease they renew while they fetch it into the run's staging, and
/// finish it there (the finished part recorded, the pieces of a split queued) in one conditional write. A slice whose
/// holder died is taken over when its lease runs out. The executor ends when every slice of the queue is finished, so
/// it stays to take over the slices of executors that die. It takes its share of the source's rate limit (1/N).
/// </summary>
public sealed class ExecuteJob(IngestOptions options, int index, JobLog log, TimeProvider? time = null, Func<IngestOptions, ISource>? sources = null)
{
    /// <summary>How long an executor waits for its driver to queue the slices before it gives up.</summary>
    private static readonly TimeSpan QueueWait = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ResourceUsage _usage = new();
    private readonly string _name = $"executor-{index}";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var state = new CountingStateStore(StateStores.Open(options.State, _time), _usage);
            var storage = new CountingLakeStorage(LakeStorages.Open(options.Lake), _usage);
            using var source = sources?.Invoke(options) ?? IngestJob.StripeSourceFor(options, log, _name);
            var table = new LakeTable(storage, options.TablePath, StreamSchema.For(options.Stream.Name), new ParquetFormat());
            var run = new RunContext(options, log, state, storage, source, table, null, _usage, _time);
            log.Info($"{_name} of run {options.RunId}: {options.Workers} workers at {options.RequestsPerSecond:0.##} requests/s", source: _name);
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var workers = Enumerable.Range(1, options.Workers).Select(worker => Task.Run(async () =>
            {
                try
                {
                    await WorkAsync(run, new ExtractStep(run), $"{_name}/{worker}@{LeaseHolder.ForThisProcess(options.RunId)}", failed.Token);
                }
                catch (Exception) when (!failed.IsCancellationRequested)
                {
                    await failed.CancelAsync();
                    throw;
                }
            }, CancellationToken.None));
            await Task.WhenAll(workers);
            log.Info($"{_name}: the run's slice queue is finished ({source.Stats.Records} records fetched here)", new Dictionary<string, object?>
            {
                ["records"] = source.Stats.Records, ["requests"] = source.Stats.Requests, ["rate_limited"] = source.Stats.RateLimited, ["retries"] = source.Stats.Retries,
            }, source: _name);
            return JobExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Warn($"{_name}: cancelled; the slices it held go to the other executors when their leases run out.", source: _name);
            return JobExitCodes.Cancelled;
        }
        catch (SourceFailedException exception)
        {
            log.Error($"{_name}: the source failed: {exception.Message}", source: _name, usage: _usage.Snapshot());
            return JobExitCodes.SourceFailed;
        }
        catch (SourceRejectedException exception)
        {
            log.Error($"{_name}: the source refused the job: {exception.Message}", source: _name, usage: _usage.Snapshot());
            return JobExitCodes.SourceFailed;
        }
        catch (Exception exception) when (exception is StoreUnavailableException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            log.Error($"{_name}: the lake or state store failed: {exception.Message}", source: _name, usage: _usage.Snapshot());
            return JobExitCodes.StoreFailed;
        }
    }

    /// <summary>One worker: claim, fetch under a renewed lease, finish; until the queue is finished.</summary>
    private async Task WorkAsync(RunContext run, ExtractStep extract, string holder, CancellationToken cancellationToken)
    {
        var waitedSince = run.Watch.Elapsed;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var claim = await run.State.ClaimSliceAsync(options.Source, run.Stream, options.RunId, holder, options.SliceLease, cancellationToken);
            if (claim is null)
            {
                var status = await run.State.SliceQueueAsync(options.Source, run.Stream, options.RunId, cancellationToken);
                if (status.Finished)
                {
                    return;
                }
                if (status.Total == 0 && run.Watch.Elapsed - waitedSince > QueueWait)
                {
                    throw new IOException($"The driver queued no slices for run {options.RunId} within {QueueWait.TotalMinutes:0} minutes.");
                }
                // Other executors hold the rest: wait, to take over any whose holder dies.
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                continue;
            }
            var slice = new Slice(claim.From, claim.To);
            if (claim.TakenOverFrom is { } previous)
            {
                log.Warn($"Slice {slice} taken over from {previous}, whose lease ran out", new Dictionary<string, object?> { ["previous_holder"] = previous }, source: _name);
            }
            await FetchHeldAsync(run, extract, slice, holder, cancellationToken);
        }
    }

    private async Task FetchHeldAsync(RunContext run, ExtractStep extract, Slice slice, string holder, CancellationToken cancellationToken)
    {
        var range = new SliceRange(slice.From, slice.To);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewAsync(run, range, holder, held, renewal.Token);
        ExtractStep.SliceOutcome outcome;
        try
        {
            outcome = await extract.FetchSliceAsync(slice, _name, held.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            log.Warn($"Lost the lease on slice {slice} while fetching it: another executor has it now", source: _name);
            return;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
        if (await run.State.FinishSliceAsync(options.Source, run.Stream, options.RunId, range, holder, outcome.Done,
                [.. outcome.Pieces.Select(p => new SliceRange(p.From, p.To))], cancellationToken))
        {
            outcome.Report(log, slice, _name);
        }
        else
        {
            log.Warn($"Slice {slice} was taken over before it was finished here: the other executor's copy counts", source: _name);
        }
    }

    /// <summary>Renews the slice's lease at a third of its length; a renewal refused (taken over) stops the fetch.</summary>
    private async Task RenewAsync(RunContext run, SliceRange slice, string holder, CancellationTokenSource held, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.SliceLease / 3, _time, cancellationToken);
                bool renewed;
                try
                {
                    renewed = await run.State.RenewSliceAsync(options.Source, run.Stream, options.RunId, slice, holder, options.SliceLease, cancellationToken);
                }
                catch (StoreUnavailableException exception)
                {
                    log.Warn($"Could not renew the lease on a slice: {exception.Message}", source: _name);
                    continue;
                }
                if (!renewed)
                {
                    await held.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
