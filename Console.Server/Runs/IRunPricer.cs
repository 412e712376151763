using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>Prices a run about to end (its end time set), so the run is never seen ended without its cost.</summary>
internal interface IRunPricer
{
    /// <summary>The run's cost, or null for a run that never started.</summary>
    Task<RunCost?> PriceAsync(RunInfo run, CancellationToken cancellationToken);
}

/// <summary>No pricing: runs end without a cost (a console without the Costs feature).</summary>
internal sealed class UnpricedRuns : IRunPricer
{
    public Task<RunCost?> PriceAsync(RunInfo run, CancellationToken cancellationToken) => Task.FromResult<RunCost?>(null);
}
