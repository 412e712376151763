using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Quality;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// The data-quality report goes next to the run in the lake and into the state store the console reads, and its
/// outcome and failing rules into the log as a <c>dq</c> event (one line, so a console following the log sees it).
/// </summary>
public sealed class QualityPublisher(RunContext run)
{
    public async Task PublishAsync(QualityReport report, CancellationToken cancellationToken)
    {
        var options = run.Options;
        await run.Storage.WriteAsync(options.ReportPath, System.Text.Encoding.UTF8.GetBytes(report.ToJson()), cancellationToken);
        await run.State.SaveQualityReportAsync(report, cancellationToken);
        var failing = report.Rules.Where(r => r.Outcome == RuleOutcome.Failed).ToList();
        run.Log.Quality(failing.Count == 0
                ? $"Data quality {report.Outcome}: {report.Rules.Count(r => r.Outcome == RuleOutcome.Passed)} rules passed, {report.Rules.Count(r => r.Outcome == RuleOutcome.Skipped)} skipped"
                : $"Data quality {report.Outcome}: {failing.Count} of {report.Rules.Count} rules failed: {string.Join("; ", failing.Take(5).Select(r => $"{r.Rule} ({r.Severity.ToString().ToLowerInvariant()}{(r.Blocking ? ", blocking" : "")}): {r.Message}"))}",
            new QualityEvent(report.Outcome, report.Rules.Count, failing.Count, [.. failing.Select(r => r.Rule)], options.ReportPath));
        foreach (var rule in failing)
        {
            var fields = new Dictionary<string, object?> { ["rule"] = rule.Rule, ["failing"] = rule.Failing, ["samples"] = rule.Samples.Take(5).ToList() };
            if (rule.Severity == Severity.Error || rule.Blocking)
            {
                run.Log.Error($"Data-quality rule {rule.Rule} failed: {rule.Message}", fields);
            }
            else
            {
                run.Log.Warn($"Data-quality rule {rule.Rule} failed: {rule.Message}", fields);
            }
        }
    }
}
