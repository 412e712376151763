using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Notifications;

/// <summary>What runs send to the webhook: cancels, failures, and data quality that failed or blocked the commit.</summary>
internal sealed class RunNotifications(WebhookNotifier notifier) : IRunObserver
{
    public Task CancelRequestedAsync(RunInfo run, string by, bool force, CancellationToken cancellationToken) =>
        notifier.NotifyAsync(force ? NotificationEvents.RunForceCancelled : NotificationEvents.RunCancelled, run.Id,
            new { runId = run.Id, source = run.Source, stream = run.Stream, by, forced = force }, cancellationToken);

    public async Task QualityReportedAsync(RunInfo run, string outcome, IReadOnlyList<string> failedRules, CancellationToken cancellationToken)
    {
        if (outcome is QualityOutcomes.Failed or QualityOutcomes.Blocked)
        {
            await notifier.NotifyAsync(NotificationEvents.QualityFailed, run.Id, new
            {
                runId = run.Id, source = run.Source, stream = run.Stream, outcome, failedRules, blocked = outcome == QualityOutcomes.Blocked,
            }, cancellationToken);
        }
    }

    public async Task RunFinishedAsync(RunInfo run, bool announced, CancellationToken cancellationToken)
    {
        if (run.State == RunState.Failed && announced)
        {
            await notifier.NotifyAsync(NotificationEvents.RunFailed, run.Id, new
            {
                runId = run.Id, source = run.Source, stream = run.Stream, exitCode = run.ExitCode, reason = run.FailureReason,
                launchedBy = run.LaunchedBy, startedAt = run.StartedAt, endedAt = run.EndedAt, records = run.Progress.Records,
            }, cancellationToken);
        }
    }
}
