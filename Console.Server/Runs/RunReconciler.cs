using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// At start, re-attaches to the jobs of runs an earlier console process left active, or ends those runs with the
/// reason; at stop, lets go of the jobs (they keep running, and the next console re-attaches).
/// </summary>
internal sealed class RunReconciler(IRunStore store, IJobRunner runner, RunFollower follower, RunFinisher finisher, RunMetrics metrics,
    ILogger<RunReconciler> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.SeedStreams();
        foreach (var run in await store.ListActiveAsync(cancellationToken))
        {
            var handle = await store.HandleAsync(run.Id, cancellationToken);
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => follower.StopAsync(cancellationToken);
}
