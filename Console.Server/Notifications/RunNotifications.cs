using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Notifications;

/// <summary>
/// What runs send to the webhook: cancels, failures, and data quality that failed or blocked the commit; and to a rule's
/// own route (<c>notify</c>), each failed rule that names one.
/// </summary>
internal sealed class RunNotifications(WebhookNotifier notifier, OpsConsole.Shared.State.IStateStore state,
    Microsoft.Extensions.Options.IOptions<NotificationOptions> options, ILogger<RunNotifications> logger) : IRunObserver
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
        if (announced && run.Quality is not null)
        {
            await NotifyRulesAsync(run, cancellationToken);
        }
        if (run.State == RunState.Failed && announced)
        {
            await notifier.NotifyAsync(NotificationEvents.RunFailed, run.Id, new
            {
                runId = run.Id, source = run.Source, stream = run.Stream, exitCode = run.ExitCode, reason = run.FailureReason,
                launchedBy = run.LaunchedBy, startedAt = run.StartedAt, endedAt = run.EndedAt, records = run.Progress.Records,
                attempts = run.Attempts, maxAttempts = run.MaxAttempts,
            }, cancellationToken);
            if (run.MaxAttempts > 1 && run.Attempts >= run.MaxAttempts && RetryPolicy.IsRetryable(run.ExitCode, run.FailureReason))
            {
                await notifier.NotifyAsync(NotificationEvents.RunRetriesExhausted, run.Id, new
                {
                    runId = run.Id, source = run.Source, stream = run.Stream, attempts = run.Attempts, exitCode = run.ExitCode, reason = run.FailureReason,
                    launchedBy = run.LaunchedBy, runUrl = RunUrl(run),
                }, cancellationToken);
            }
        }
    }

    public Task RunRetryingAsync(RunInfo run, RunAttempt failed, CancellationToken cancellationToken) =>
        notifier.NotifyAsync(NotificationEvents.RunRetrying, run.Id, new
        {
            runId = run.Id, source = run.Source, stream = run.Stream, attempt = failed.Attempt, maxAttempts = run.MaxAttempts, exitCode = failed.ExitCode,
            reason = failed.Reason, retryAt = run.RetryAt, runUrl = RunUrl(run),
        }, cancellationToken);

    /// <summary>
    /// Each failed rule that names a route: the rule, what it observed, its bounds, failing row ids (never values: the
    /// report holds none) and a link to the run. Read from the stored report once the run has ended, so it is complete.
    /// </summary>
    private async Task NotifyRulesAsync(RunInfo run, CancellationToken cancellationToken)
    {
        QualityReport? report;
        try
        {
            report = await state.GetQualityReportAsync(run.Id, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or OpsConsole.Shared.Storage.StoreUnavailableException)
        {
            logger.LogWarning("Run {RunId}: its quality report could not be read for the rules' routes: {Error}", run.Id, exception.Message);
            return;
        }
        var link = RunUrl(run);
        foreach (var rule in report?.Rules.Where(rule => rule.Outcome == RuleOutcome.Failed && rule.Notify is not null) ?? [])
        {
            await notifier.NotifyAsync(NotificationEvents.QualityRuleFailed, $"{run.Source}/{run.Stream}", new
            {
                runId = run.Id, source = run.Source, stream = run.Stream, rule = rule.Rule, type = rule.Type, column = rule.Column,
                severity = rule.Severity.ToString().ToLowerInvariant(), blocking = rule.Blocking, observed = rule.Observed, lower = rule.Lower, upper = rule.Upper,
                threshold = rule.Threshold, failing = rule.Failing, failingFraction = rule.FailingFraction, sampleIds = rule.Samples, message = rule.Message,
                runUrl = link,
            }, rule.Notify, cancellationToken);
        }
    }

    private string RunUrl(RunInfo run) => $"{options.Value.ConsoleUrl?.TrimEnd('/')}/runs/{Uri.EscapeDataString(run.Id)}";
}
