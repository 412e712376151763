using OpsConsole.Server.Data;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Server.Logs;

/// <summary>
/// When a run ends, its whole log goes to the lake beside its table (<see cref="LakePaths.LogArchive"/>), streamed:
/// the lake outlives the console's volume, and the log download falls back to this copy when the console's is gone.
/// A lake that fails costs only this copy: the run has ended either way, and the console's copy stays.
/// </summary>
internal sealed class LakeLogArchiver(LogService logs, ConsoleLake lake, ILogger<LakeLogArchiver> logger) : IRunObserver
{
    public async Task RunFinishedAsync(RunInfo run, bool announced, CancellationToken cancellationToken)
    {
        if (!announced)
        {
            return; // backed out before it started: it has no log
        }
        logs.Live(run.Id)?.Flush();
        var path = LakePaths.LogArchive(run.Source, run.Stream, run.Id);
        try
        {
            await using var archive = logs.Archive(run.Id).OpenRead();
            await lake.Storage.WriteAsync(path, archive, cancellationToken);
            logger.LogInformation("Run {RunId}: log archived to the lake at {Path}", run.Id, path);
        }
        catch (Exception exception) when (exception is StoreUnavailableException or IOException)
        {
            logger.LogWarning(exception, "Run {RunId}: the log could not be archived to the lake at {Path}; the console keeps its copy", run.Id, path);
        }
    }
}
