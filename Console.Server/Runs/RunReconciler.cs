using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// At start, re-attaches to the jobs of runs an earlier console process left active, or ends those runs with the
/// reason; a job the runner lists for an active run whose handle was never stored (the console stopped between
/// starting it and recording it) is adopted, and one still running for a run that is not active is stopped, so no
/// job is left behind. At stop, lets go of the jobs (they keep running, and the next console re-attaches).
/// </summary>
internal sealed class RunReconciler(IRunStore store, IJobRunner runner, RunFollower follower, RunFinisher finisher, RunMetrics metrics,
    ILogger<RunReconciler> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.SeedStreams();
        var listed = await ListJobsAsync(cancellationToken);
        var active = await store.ListActiveAsync(cancellationToken);
        foreach (var run in active)
        {
            if (run is { State: RunState.Pending, RetryAt: not null })
            {
                logger.LogInformation("Run {RunId}: waits for attempt {Attempt} at {RetryAt:u}", run.Id, run.Attempts + 1, run.RetryAt);
                continue; // its earlier attempt ended; the retrier starts the next when it is due
            }
            var handle = await store.HandleAsync(run.Id, cancellationToken);
            if (handle is null && listed.TryGetValue(run.Id, out var found) && await store.RecordHandleAsync(run.Id, found, cancellationToken) is not null)
            {
                logger.LogWarning("Run {RunId}: its job {Kind} {Job} was started but never recorded; adopted", run.Id, found.Kind, found.Id);
                handle = found;
            }
            if (handle is null)
            {
                await (run.State == RunState.Cancelling
                    ? finisher.FinishAsync(run.Id, RunState.Cancelled, null, null, forced: false)
                    : finisher.FinishAsync(run.Id, RunState.Failed, null, "The console stopped before the job was started.", forced: false));
                continue;
            }
            var alive = (await runner.StatusAsync(handle, cancellationToken)).Running;
            if (alive)
            {
                logger.LogInformation("Run {RunId}: re-attached to job {Kind} {Job}", run.Id, handle.Kind, handle.Id);
            }
            else
            {
                logger.LogInformation("Run {RunId}: job {Kind} {Job} ended while the console was down", run.Id, handle.Kind, handle.Id);
            }
            if (run.State == RunState.Cancelling && alive)
            {
                follower.ScheduleKill(run);
            }
            metrics.Track(run);
            follower.Follow(run, handle);
        }
        foreach (var (runId, orphan) in listed.Where(l => !active.Any(r => r.Id == l.Key)))
        {
            try
            {
                if ((await runner.StatusAsync(orphan, cancellationToken)).Running)
                {
                    logger.LogWarning("Job {Kind} {Job} of run {RunId} runs, but the run is not active here: stopping it", orphan.Kind, orphan.Id, runId);
                    await runner.StopAsync(orphan, TimeSpan.Zero, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning("Job {Kind} {Job} of run {RunId} could not be checked or stopped: {Error}", orphan.Kind, orphan.Id, runId, exception.Message);
            }
        }
    }

    /// <summary>The runner's jobs by run id; none when the runner's platform cannot be reached now (the console starts anyway).</summary>
    private async Task<Dictionary<string, JobHandle>> ListJobsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new Dictionary<string, JobHandle>(await runner.ListAsync(cancellationToken), StringComparer.Ordinal);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning("The {Runner} runner's jobs could not be listed ({Error}): jobs the console never recorded are not reconciled this time", runner.Kind, exception.Message);
            return new Dictionary<string, JobHandle>(StringComparer.Ordinal);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => follower.StopAsync(cancellationToken);
}
