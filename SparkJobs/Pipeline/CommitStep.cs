using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// Transform, judge and commit, streamed one partition (UTC day) at a time: the staged records become rows
/// (<see cref="RecordTransformer"/>), every row goes through the data-quality rules (<see cref="QualityEvaluator"/>),
/// and the partitions are merged into the table in one commit, which a blocking rule stops before it happens
/// (<see cref="QualityBlockedException"/>: nothing committed, the staged pages kept as the quarantine).
/// </summary>
public sealed class CommitStep(RunContext run)
{
    public async Task<CommitResult> RunAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        var options = run.Options;
        var fetchSeconds = run.Watch.Elapsed.TotalSeconds;
        var completed = await run.State.CompletedSlicesAsync(options.Source, run.Stream, options.RunId, cancellationToken);
        var finished = completed.Select(s => new Slice(s.From, s.To)).ToList();
        run.Log.Info($"Fetched and staged {completed.Sum(s => s.Records)} records of {finished.Count} slices in {fetchSeconds:0.0} s; merging into the table partition by partition",
            new Dictionary<string, object?> { ["records"] = completed.Sum(s => s.Records), ["slices"] = finished.Count, ["seconds"] = Math.Round(fetchSeconds, 3) });
        // Earlier committed runs are the anomaly strategies' baseline (a rerun of this run id does not judge itself).
        // A store that keeps large reports shortened (DynamoDB) points at the whole ones in the lake: the strategies need them whole.
        var history = new List<QualityReport>();
        foreach (var earlier in await run.State.QualityReportsAsync(options.Source, run.Stream, AnomalyRule.MaxHistory, committedOnly: true, cancellationToken))
        {
            if (earlier.RunId != options.RunId)
            {
                history.Add(await earlier.WholeAsync(run.Storage, cancellationToken));
            }
        }
        QualityReport? report = null;
        var batch = Batch(plan.Window, finished, history, r => report = r);
        var merge = await MergeAsync(batch, plan.Window.To, cancellationToken);
        var mergeSeconds = run.Watch.Elapsed.TotalSeconds - fetchSeconds;
        LogMerge(merge, batch.Transformer, mergeSeconds);
        CrashPoints.Reach(CrashPoints.Committed);
        return new CommitResult(merge, batch.Transformer, report);
    }

    /// <summary>The staged records as rows a partition at a time, judged as they pass; the verdict comes after the last row, before the commit.</summary>
    private StagedBatch Batch(RunWindow window, IReadOnlyList<Slice> finished, IReadOnlyList<QualityReport> history, Action<QualityReport> judged)
    {
        var options = run.Options;
        var schema = StreamSchema.For(run.Stream);
        return new StagedBatch(run.Staging,
            () => new RecordTransformer(schema, options.RunId, DateTimeOffset.FromUnixTimeMilliseconds(window.StartedAtUnixMilliseconds)), finished,
            () => new QualityEvaluator(options.Rules?.Build(history) ?? [], schema.IndexOf("id")),
            async (transformer, quality, token) =>
            {
                var report = await quality.FinishAsync(options.RunId, options.Source, run.Stream, new QualityContext
                {
                    Rows = transformer.Count, Rejected = transformer.RejectedCount, Now = run.Time.GetUtcNow().ToUnixTimeSeconds(),
                    WindowFrom = window.From, WindowTo = window.To, History = history,
                    ReadColumn = (other, column, ct) => new LakeTable(run.Storage, LakePaths.Table(options.Source, other), StreamSchema.For(other), new ParquetFormat())
                        .ReadColumnAsync(column, ct),
                }, token);
                judged(report);
                if (report.Blocked)
                {
                    throw new QualityBlockedException(report with { Quarantine = run.Staging.Folder });
                }
            });
    }

    private async Task<MergeResult> MergeAsync(StagedBatch batch, long windowEnd, CancellationToken cancellationToken)
    {
        var lastReport = run.Watch.Elapsed;
        return await run.Table.MergeAsync(batch.PartitionsAsync, run.Options.RunId, windowEnd, soFar =>
        {
            if (run.Watch.Elapsed - lastReport >= TimeSpan.FromSeconds(2))
            {
                lastReport = run.Watch.Elapsed;
                run.Log.Info($"Merging: {soFar.Partitions} of {batch.PartitionCount} partitions written ({soFar.Inserted} new, {soFar.Replaced} updated records)",
                    new Dictionary<string, object?> { ["partitions"] = soFar.Partitions, ["of"] = batch.PartitionCount, ["inserted"] = soFar.Inserted, ["replaced"] = soFar.Replaced });
            }
        }, cancellationToken);
    }

    private void LogMerge(MergeResult merge, RecordTransformer transformer, double mergeSeconds)
    {
        if (transformer.RejectedCount > 0)
        {
            run.Log.Warn($"{transformer.RejectedCount} records could not become rows and were left out of the table",
                new Dictionary<string, object?> { ["rejected"] = transformer.RejectedCount, ["examples"] = transformer.Rejected.Take(5).ToList() });
        }
        if (run.Table.Log.LastCheckpointFailure is { } checkpoint)
        {
            run.Log.Warn($"The commit stands, but {checkpoint}; readers replay the commits since the previous checkpoint until the next one is written.");
        }
        if (merge.Moved.Count > 0)
        {
            run.Log.Warn($"{merge.Moved.Count} ids came from the source under more than one day; each is kept once, at its latest version: "
                         + string.Join(", ", merge.Moved.Take(5).Select(m => $"{m.Id} in {m.Kept} (not {string.Join(", ", m.Dropped)})")),
                new Dictionary<string, object?> { ["moved"] = merge.Moved.Count, ["examples"] = merge.Moved.Take(5).Select(m => m.Id).ToList() });
        }
        if (transformer.UnknownFields.Count > 0)
        {
            run.Log.Warn($"Unknown fields kept in _extra: {string.Join(", ", transformer.UnknownFields.Keys.Order(StringComparer.Ordinal))}",
                new Dictionary<string, object?> { ["unknown_fields"] = transformer.UnknownFields });
        }
        run.Log.Info(merge.AlreadyCommitted
            ? $"Run {run.Options.RunId} was already committed at version {merge.Version}; nothing new to commit"
            : $"Committed table version {merge.Version}: {merge.Inserted} new and {merge.Replaced} updated records in {merge.Partitions} partitions in {mergeSeconds:0.0} s",
            new Dictionary<string, object?> { ["version"] = merge.Version, ["inserted"] = merge.Inserted, ["replaced"] = merge.Replaced, ["seconds"] = Math.Round(mergeSeconds, 3) });
    }
}

/// <summary>What the commit did: the merge, the transform's counts, and the data-quality report (null without rules that ran).</summary>
public sealed record CommitResult(MergeResult Merge, RecordTransformer Transformer, QualityReport? Report);
