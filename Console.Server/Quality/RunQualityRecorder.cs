using OpsConsole.Server.Runs;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Quality;

/// <summary>Keeps a run's data-quality outcome on the run as the job reports it (the runs list and badges show it; the report is in the state store).</summary>
internal sealed class RunQualityRecorder(IRunStore runs) : IRunObserver
{
    public Task QualityReportedAsync(RunInfo run, string outcome, IReadOnlyList<string> failedRules, CancellationToken cancellationToken) =>
        runs.UpdateQualityAsync(run.Id, outcome, cancellationToken);
}
