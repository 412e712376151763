using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Pipeline;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.SparkJobs.Usage;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// One ingestion run with the in-process engine: take the stream's lease, then the pipeline's steps in order (plan,
/// extract and stage, transform and judge and commit, checkpoint), each in <c>Pipeline/</c>. A restarted run with
/// the same run id skips the slices it finished and never commits twice. Every failure ends in its exit code.
/// </summary>
public sealed class IngestJob(IngestOptions options, JobLog log, TimeProvider? time = null, Func<IngestOptions, ISource>? sources = null)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(2);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ResourceUsage _usage = new();

    // The lease holder names the run and this process, so two processes with one run id cannot both hold the stream.
    private readonly string _holder = LeaseHolder.ForThisProcess(options.RunId);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        IStateStore state;
        ILakeStorage storage;
        try
        {
            state = new CountingStateStore(StateStores.Open(options.State, _time), _usage);
            storage = new CountingLakeStorage(LakeStorages.Open(options.Lake), _usage);
            // Not cancellable: a cancellation seen after the store granted the lease (the write done, its answer not yet
            // read) would leave the lease held with no one to release it, refusing the stream's next run until it expired.
            // Once held, the try below releases it whatever ends the run, a cancellation included.
            await AcquireLeaseAsync(state, CancellationToken.None);
        }
        catch (StreamLeaseHeldException held)
        {
            log.Error($"Not started: {held.Message} One run per stream at a time.", new Dictionary<string, object?> { ["holder"] = held.Holder?.Holder });
            return JobExitCodes.InvalidArguments;
        }
        catch (StoreUnavailableException exception)
        {
            log.Error($"The lake or state store cannot be opened: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }
        catch (StoreUriException exception)
        {
            // Found only on opening: the lake's endpoint does not do what its URI asks (conditional writes).
            log.Error($"--lake {exception.Message}");
            return JobExitCodes.InvalidArguments;
        }

        // The run stops if its lease is lost: another run may own the stream now.
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewLeaseAsync(state, leaseLost, renewal.Token);
        try
        {
            return await RunLeasedAsync(state, storage, leaseLost.Token);
        }
        catch (Exception exception) when (ExitCodeOf(exception, cancellationToken, leaseLost.Token) is { } code)
        {
            return code;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
            await ReleaseLeaseAsync(state);
        }
    }

    private async Task<int> RunLeasedAsync(IStateStore state, ILakeStorage storage, CancellationToken cancellationToken)
    {
        var checkpoint = await state.GetCheckpointAsync(options.Source, options.Stream.Name, cancellationToken);
        using var source = sources?.Invoke(options) ?? StripeSourceFor(options, log);
        var table = new LakeTable(storage, options.TablePath, StreamSchema.For(options.Stream.Name), new ParquetFormat());
        var run = new RunContext(options, log, state, storage, source, table, checkpoint, _usage, _time);
        var finish = new CheckpointStep(run);
        if (await finish.CompleteEarlierCommitAsync(cancellationToken))
        {
            return JobExitCodes.Ok;
        }
        var plan = await new PlanStep(run).RunAsync(cancellationToken);
        await new ExtractStep(run).RunAsync(plan, cancellationToken);
        CommitResult commit;
        try
        {
            commit = await new CommitStep(run).RunAsync(plan, cancellationToken);
        }
        catch (QualityBlockedException blocked)
        {
            // Nothing was committed and the checkpoint stays; the raw pages stay in staging as the quarantine.
            await new QualityPublisher(run).PublishAsync(blocked.Report, cancellationToken);
            log.Error($"{blocked.Message}. Nothing was committed and the checkpoint did not move; the run's raw pages are kept in {blocked.Report.Quarantine} for inspection.",
                new Dictionary<string, object?> { ["quarantine"] = blocked.Report.Quarantine, ["report"] = options.ReportPath }, usage: _usage.Snapshot());
            return JobExitCodes.BlockedByQualityRule;
        }
        await finish.RunAsync(plan, commit, cancellationToken);
        return JobExitCodes.Ok;
    }

    /// <summary>The Stripe source of a run; each retry is a warn line of <paramref name="logSource"/> (held to a rate).</summary>
    internal static StripeSource StripeSourceFor(IngestOptions options, JobLog log, string logSource = "driver")
    {
        var retries = new RetryLog(log, logSource);
        return new(new StripeClient(new StripeClientOptions
        {
            BaseAddress = options.ApiBase,
            Credentials = options.Credentials,
            RequestsPerSecond = options.RequestsPerSecond,
            RequestTimeout = options.RequestTimeout,
            OnRetry = retries.Retrying,
        }), options.Stream);
    }

    /// <summary>The exit code a failure of the leased run ends in, logged with its reason; null for a failure nobody expected.</summary>
    private int? ExitCodeOf(Exception exception, CancellationToken cancelled, CancellationToken leaseLost)
    {
        var (code, message) = exception switch
        {
            OperationCanceledException when cancelled.IsCancellationRequested =>
                (JobExitCodes.Cancelled, "Cancelled: nothing was committed by this attempt after the last finished step; the checkpoint did not move."),
            OperationCanceledException when leaseLost.IsCancellationRequested =>
                (JobExitCodes.StoreFailed, "Stopped: the stream's lease was lost to another holder; this run committed nothing after that."),
            RunRefusedException refused => (JobExitCodes.InvalidArguments, refused.Message),
            SourceFailedException failed => (JobExitCodes.SourceFailed, $"The source failed: {failed.Message}"),
            ExecutorsLostException lost => (JobExitCodes.SourceFailed, lost.Message),
            SourceRejectedException rejected => (JobExitCodes.SourceFailed, $"The source refused the job: {rejected.Message}"),
            IOException or InvalidDataException or UnauthorizedAccessException or CheckpointConflictException =>
                (JobExitCodes.StoreFailed, $"The lake or state store failed: {exception.Message}"),
            _ => (0, null),
        };
        if (message is null)
        {
            return null;
        }
        if (code == JobExitCodes.Cancelled)
        {
            log.Warn(message, usage: _usage.Snapshot());
        }
        else if (exception is RunRefusedException)
        {
            log.Error(message);
        }
        else
        {
            log.Error(message, usage: _usage.Snapshot());
        }
        return code;
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

    private async Task ReleaseLeaseAsync(IStateStore state)
    {
        try
        {
            await state.ReleaseLeaseAsync(options.Source, options.Stream.Name, _holder, CancellationToken.None);
        }
        catch (StoreUnavailableException exception)
        {
            log.Warn($"Could not release the stream's lease (it expires by itself within {LeaseDuration.TotalMinutes:0} minutes): {exception.Message}");
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
