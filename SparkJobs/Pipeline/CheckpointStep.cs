using OpsConsole.Shared.Jobs;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Lake;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// Checkpoint: after the commit, the stream's cursor moves (forward only: a backfill of an older window leaves it)
/// with a conditional write; then the quality report is stored, staging is deleted and the summary closes the run.
/// Also completes a run whose commit an earlier attempt made but whose checkpoint it did not write.
/// </summary>
public sealed class CheckpointStep(RunContext run)
{
    public async Task RunAsync(RunPlan plan, CommitResult commit, CancellationToken cancellationToken)
    {
        var options = run.Options;
        var cursor = Math.Max(plan.Window.To, run.Checkpoint?.Cursor ?? long.MinValue);
        var written = await run.State.WriteCheckpointAsync(options.Source, run.Stream, cursor, run.Checkpoint?.Version ?? 0, options.RunId,
            $"run {options.RunId} committed table version {commit.Merge.Version}", cancellationToken);
        CrashPoints.Reach(CrashPoints.Checkpointed);
        if (commit.Report is { } report)
        {
            // The run is committed and its checkpoint written: a report that cannot be stored is worth a warning, not a failure.
            try
            {
                await new QualityPublisher(run).PublishAsync(report, CancellationToken.None);
            }
            catch (IOException exception)
            {
                run.Log.Warn($"The data-quality report could not be stored ({exception.Message}); the run's data is committed.");
            }
        }
        // The records are in the table and the checkpoint has moved: the raw pages have served their purpose.
        await DeleteStagingAsync();
        var stats = run.Source.Stats;
        var transformer = commit.Transformer;
        // The table's size after the commit: what its storage costs until the next run.
        var tableBytes = (await run.Table.Log.ReadSnapshotAsync(cancellationToken)).Files.Values.Sum(f => f.Size);
        run.Log.Summary($"Run {options.RunId} succeeded: {transformer.Count} records, checkpoint {written.Cursor} (version {written.Version})",
            new SummaryEvent(transformer.Count, written.Cursor, written.Version)
            {
                TableBytes = tableBytes, Pages = stats.Pages, Requests = stats.Requests, Bytes = stats.Bytes, RateLimited = stats.RateLimited,
                Retries = stats.Retries, Rejected = transformer.RejectedCount, TableVersion = commit.Merge.Version, Quality = commit.Report?.Outcome,
                Seconds = Math.Round(run.Watch.Elapsed.TotalSeconds, 3),
            }, run.Usage.Snapshot());
    }

    /// <summary>
    /// When the table already holds this run's commit (the run crashed or was restarted after it), only the checkpoint
    /// may be missing: it is written, and true says the run is done. False when the run has not committed.
    /// </summary>
    public async Task<bool> CompleteEarlierCommitAsync(CancellationToken cancellationToken)
    {
        var options = run.Options;
        var snapshot = await run.Table.Log.ReadSnapshotAsync(cancellationToken);
        if (!snapshot.Transactions.TryGetValue(LakeTable.TransactionId(options.RunId), out var committedTo))
        {
            return false;
        }
        var checkpoint = run.Checkpoint;
        var advanced = checkpoint?.UpdatedBy == options.RunId ? checkpoint
            : await run.State.WriteCheckpointAsync(options.Source, run.Stream, Math.Max(committedTo, checkpoint?.Cursor ?? long.MinValue),
                checkpoint?.Version ?? 0, options.RunId, $"run {options.RunId} committed earlier; checkpoint completed on rerun", cancellationToken);
        await DeleteStagingAsync();
        run.Log.Summary($"Run {options.RunId} was already committed; checkpoint {advanced.Cursor} (version {advanced.Version})",
            new SummaryEvent(0, advanced.Cursor, advanced.Version) { AlreadyCommitted = true });
        return true;
    }

    /// <summary>The run succeeded before this: a staging folder that cannot be deleted is worth a warning, not a failure.</summary>
    private async Task DeleteStagingAsync()
    {
        try
        {
            await run.Staging.DeleteAllAsync(CancellationToken.None);
        }
        catch (IOException exception)
        {
            run.Log.Warn($"The run's staging ({run.Staging.Folder}) could not be deleted; delete it by hand: {exception.Message}");
        }
    }
}
