using System.Text.Json;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>Ends a run: prices it, stores the outcome with the cost in one change, ends its last attempt, then tells whoever listens.</summary>
internal sealed class RunFinisher(IRunStore store, IRunPricer pricer, RunEvents events, TimeProvider time, ILogger<RunFinisher> logger)
{
    /// <summary>
    /// Moves the run to <paramref name="outcome"/>; null when the run is gone. <paramref name="announced"/> is false for
    /// a launch that backed out before anyone was told of it (no notification goes out).
    /// </summary>
    public async Task<RunInfo?> FinishAsync(string id, RunState outcome, int? exitCode, string? reason, bool forced, bool announced = true)
    {
        // To the millisecond, as the store keeps it: the cost is priced over exactly the times the run shows.
        var ended = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        RunCost? cost = null;
        try
        {
            // Priced before the change, so the run is never seen ended without its cost. A run whose job never started
            // (refused, cancelled first, or the runner could not start it) used nothing and costs nothing.
            cost = await store.GetAsync(id) is { } current && await store.HandleAsync(id) is not null
                ? await pricer.PriceAsync(current with { EndedAt = ended }, CancellationToken.None)
                : null;
        }
        catch (Exception exception) when (exception is IOException or JsonException)
        {
            // The run ends either way; its cost is the only thing missing.
            logger.LogWarning(exception, "Run {RunId} could not be priced", id);
        }
        var change = new RunChange { EndedAt = ended, ExitCode = exitCode, FailureReason = reason, Forced = forced ? true : null, Cost = cost };
        var run = await store.TransitionAsync(id, outcome, change, outcome.ToString().ToLowerInvariant());
        if (run is not null)
        {
            // The run's last attempt ends with it (a run whose job never started has none).
            await store.EndAttemptAsync(id, ended, outcome.ToString().ToLowerInvariant(), exitCode, reason, retried: false);
            logger.LogInformation("Run {RunId} {State}{Reason}", id, run.State, reason is null ? "" : $": {reason}");
            await events.FinishedAsync(run, announced);
            events.Raise(run);
        }
        return run;
    }
}
