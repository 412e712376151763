using System.Threading.Channels;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Server.Logs;

/// <summary>
/// When a run ends, its whole log goes to the lake beside its table (<see cref="LakePaths.LogArchive"/>), streamed:
/// the lake outlives the console's volume, and the log download falls back to this copy when the console's is gone.
/// The upload runs in the background, one run after another, so a slow lake delays no other observer of the run's end
/// (metrics, notifications); a lake that fails costs only this copy, and the console's copy stays.
/// </summary>
internal sealed class LakeLogArchiver(LogService logs, ConsoleLake lake, ILogger<LakeLogArchiver> logger) : BackgroundService, IRunObserver
{
    private readonly Channel<RunInfo> _ended = Channel.CreateUnbounded<RunInfo>(new UnboundedChannelOptions { SingleReader = true });

    public Task RunFinishedAsync(RunInfo run, bool announced, CancellationToken cancellationToken)
    {
        // A launch that backed out before it started has no log.
        if (announced)
        {
            _ended.Writer.TryWrite(run);
        }
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var run in _ended.Reader.ReadAllAsync(stoppingToken))
            {
                await ArchiveAsync(run, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the runs not yet copied keep their log on the console's volume.
        }
    }

    private async Task ArchiveAsync(RunInfo run, CancellationToken cancellationToken)
    {
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
