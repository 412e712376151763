using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Logs;

/// <summary>
/// <c>/hubs/logs</c>: streams a run's log from a sequence number on. Each viewer reads the run's ring buffer at its own
/// pace, so a slow viewer holds up nobody; one that falls behind the buffer gets a gap to fetch over REST. A viewer that
/// reconnects passes its last sequence number and gets exactly the lines after it.
/// </summary>
public sealed class LogsHub(LogService logs, IRunService runs, LogMetrics metrics, ILogger<LogsHub> logger) : Hub
{
    /// <summary>Lines per batch: small enough to keep a batch quick to render, large enough to keep up.</summary>
    public const int BatchLines = 1000;

    /// <summary>How often a viewer of a run that has not started looks at its state (a log opening wakes it at once).</summary>
    private static readonly TimeSpan StartPoll = TimeSpan.FromSeconds(1);

    public override Task OnConnectedAsync()
    {
        metrics.HubConnected();
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.HubDisconnected();
        return base.OnDisconnectedAsync(exception);
    }

    public async IAsyncEnumerable<LogBatch> Stream(string runId, long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var opened = logs.NextOpenAsync();
        var log = logs.Live(runId);
        while (log is null)
        {
            var run = await runs.GetAsync(runId, cancellationToken);
            if (run is null)
            {
                // A caller's mistake, not the console's: answered in the stream, logged without a stack or the whole text.
                var shown = runId.Length > 64 ? runId[..64] + "…" : runId;
                logger.LogInformation("Log stream for run {RunId}, which does not exist", shown);
                yield return new LogBatch([], null, null, Done: true) { Error = $"There is no run '{shown}'." };
                yield break;
            }
            if (!run.State.IsActive())
            {
                // The run ended and its buffer is gone: everything left is in the archive.
                var last = logs.Archive(runId).LastSeq;
                if (afterSeq < last)
                {
                    yield return new LogBatch([], afterSeq + 1, last, Done: false);
                }
                yield return new LogBatch([], null, null, Done: true);
                yield break;
            }
            // Not started yet: its log appears with the job's first line.
            try
            {
                await opened.WaitAsync(StartPoll, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
            opened = logs.NextOpenAsync();
            log = logs.Live(runId);
        }

        var after = Math.Max(0, afterSeq);
        while (true)
        {
            await log.WaitAsync(after, cancellationToken);
            var (lines, gapFrom, gapTo) = log.ReadLive(after, BatchLines);
            if (gapFrom is not null)
            {
                yield return new LogBatch([], gapFrom, gapTo, Done: false);
                after = gapTo!.Value;
            }
            if (lines.Count > 0)
            {
                yield return new LogBatch(lines, null, null, Done: false);
                after = lines[^1].Seq;
            }
            else if (log.Completed && after >= log.LastSeq)
            {
                yield return new LogBatch([], null, null, Done: true);
                yield break;
            }
        }
    }
}
