using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Data;

namespace OpsConsole.Server.Logs;

/// <summary>
/// Every run's log: live ones (a <see cref="RunLog"/> per followed run, archived in the background) and finished ones
/// (read from their archive under <c>{data}/runs/{id}/</c>).
/// </summary>
public sealed class LogService(IOptions<LogOptions> options, IOptions<DataOptions> data, Redactor redactor, TimeProvider time, ILogger<LogService> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, RunLog> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LogArchive> _endedArchives = new(StringComparer.Ordinal);
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The folder with a run's output, exit status and log archive.</summary>
    public string RunFolder(string runId) => Path.Combine(data.Value.FullPath, "runs", runId);

    /// <summary>The live log of a run being followed, created (and resumed from its archive) on first use.</summary>
    public RunLog Open(string runId)
    {
        if (_live.TryGetValue(runId, out var open))
        {
            return open;
        }
        var log = _live.GetOrAdd(runId, id => new RunLog(id, new LogArchive(RunFolder(id)), options.Value.BufferLines, redactor));
        Interlocked.Exchange(ref _opened, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return log;
    }

    /// <summary>
    /// Completes when the next live log opens (any run's): a viewer waiting for a run that has not started takes this
    /// before looking for the run's log, so its first line reaches the viewer without a polling delay.
    /// </summary>
    public Task NextOpenAsync() => Volatile.Read(ref _opened).Task;

    /// <summary>The run's live log if it is (or was recently) followed.</summary>
    public RunLog? Live(string runId) => _live.GetValueOrDefault(runId);

    /// <summary>Marks a log complete; its buffer stays for a while for viewers, then only the archive remains.</summary>
    public void Complete(string runId)
    {
        if (_live.TryGetValue(runId, out var log))
        {
            log.Complete();
            _finished[runId] = time.GetUtcNow();
        }
    }

    /// <summary>Lines after <paramref name="after"/>, from memory or the archive.</summary>
    public LogPage Read(string runId, long after, int limit, bool runEnded)
    {
        if (Live(runId) is { } log)
        {
            var lines = log.Read(after, limit);
            return new LogPage(lines, log.LastSeq, log.Completed);
        }
        // An ended run's archive no longer changes: its index is read once, for a bounded number of runs.
        if (!runEnded || !_endedArchives.TryGetValue(runId, out var archive))
        {
            archive = Archive(runId);
            if (runEnded)
            {
                if (_endedArchives.Count >= 64)
                {
                    _endedArchives.Clear();
                }
                _endedArchives[runId] = archive;
            }
        }
        return new LogPage(archive.Read(after, limit), archive.LastSeq, runEnded);
    }

    /// <summary>The run's archive for reading (an empty one when the run never wrote a line).</summary>
    public LogArchive Archive(string runId) => Live(runId)?.Archive ?? new LogArchive(RunFolder(runId), writable: false);

    /// <summary>Archives live logs every <see cref="LogOptions.ArchiveIntervalMs"/> and forgets finished ones after a while.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ArchiveIntervalMs), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                FlushAll();
                var cutoff = time.GetUtcNow().AddSeconds(-options.Value.KeepFinishedSeconds);
                foreach (var (runId, finishedAt) in _finished)
                {
                    if (finishedAt < cutoff && _finished.TryRemove(runId, out _))
                    {
                        _live.TryRemove(runId, out _);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        FlushAll();
    }

    private void FlushAll()
    {
        foreach (var log in _live.Values)
        {
            try
            {
                log.Flush();
            }
            catch (IOException exception)
            {
                // The lines stay in memory and are written at the next tick.
                logger.LogError(exception, "Could not archive the log of run {RunId}", log.RunId);
            }
        }
    }
}
