namespace OpsConsole.Server.Logs;

/// <summary>
/// One run's log while the console follows it: numbers each line, keeps the newest lines in a bounded ring buffer for
/// viewers, and archives every line (<see cref="LogArchive"/>). Appending never waits for a viewer: a viewer reads the
/// ring at its own pace and, when it falls behind the ring's oldest line, is told of the gap.
/// </summary>
public sealed class RunLog
{
    private readonly LogLine[] _ring;
    private readonly List<LogLine> _unarchived = [];
    private readonly Redactor _redactor;
    private readonly Lock _lock = new();
    private readonly Lock _flushLock = new();
    private TaskCompletionSource _changed = NewSignal();
    private readonly long _firstInRing;
    private long _next;
    private string _outputPosition;
    private bool _completed;

    public RunLog(string runId, LogArchive archive, int capacity, Redactor redactor)
    {
        RunId = runId;
        Archive = archive;
        _ring = new LogLine[capacity];
        _redactor = redactor;
        _next = archive.LastSeq + 1;
        // Lines archived by an earlier console process are read from the archive, never from the ring.
        _firstInRing = _next;
        _outputPosition = archive.OutputPosition;
    }

    public string RunId { get; }

    public LogArchive Archive { get; }

    /// <summary>The highest sequence number so far (0 when empty).</summary>
    public long LastSeq { get { lock (_lock) { return _next - 1; } } }

    /// <summary>How far into the job's raw output this log has read (resume point after a restart).</summary>
    public string OutputPosition { get { lock (_lock) { return _outputPosition; } } }

    public bool Completed { get { lock (_lock) { return _completed; } } }

    /// <summary>Lines waiting for the next <see cref="Flush"/>.</summary>
    public int Unarchived { get { lock (_lock) { return _unarchived.Count; } } }

    /// <summary>Redacts, parses and numbers raw output lines; <paramref name="outputPosition"/> is where the job's output stands after them.</summary>
    public IReadOnlyList<LogLine> Append(IReadOnlyList<string> rawLines, string outputPosition)
    {
        var lines = new LogLine[rawLines.Count];
        long first;
        lock (_lock)
        {
            first = _next;
        }
        // Parsing runs outside the lock (a log has one writer, so the numbers stay its own); readers see the lines only
        // once they are in the ring, below.
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = JobLineParser.Parse(first + i, _redactor.Redact(rawLines[i]));
        }
        TaskCompletionSource changed;
        lock (_lock)
        {
            foreach (var line in lines)
            {
                _ring[line.Seq % _ring.Length] = line;
            }
            _next = first + lines.Length;
            _unarchived.AddRange(lines);
            _outputPosition = outputPosition;
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
        return lines;
    }

    /// <summary>Writes the lines not archived yet as one archive member (one flush at a time).</summary>
    public void Flush()
    {
        lock (_flushLock)
        {
            List<LogLine> lines;
            string position;
            lock (_lock)
            {
                if (_unarchived.Count == 0)
                {
                    return;
                }
                lines = [.. _unarchived];
                position = _outputPosition;
            }
            Archive.Append(lines, position);
            lock (_lock)
            {
                _unarchived.RemoveRange(0, lines.Count);
            }
        }
    }

    /// <summary>The run ended and its output was read to the end: archive the rest and tell viewers.</summary>
    public void Complete()
    {
        Flush();
        TaskCompletionSource changed;
        lock (_lock)
        {
            _completed = true;
            changed = _changed;
        }
        changed.TrySetResult();
    }

    /// <summary>
    /// Lines after <paramref name="after"/> from the ring, at most <paramref name="limit"/>. When some of them already
    /// left the ring, returns the missing range as a gap (and the ring's lines that follow it).
    /// </summary>
    public (IReadOnlyList<LogLine> Lines, long? GapFrom, long? GapTo) ReadLive(long after, int limit)
    {
        lock (_lock)
        {
            var oldest = Math.Max(_firstInRing, _next - _ring.Length);
            long? gapFrom = null, gapTo = null;
            var start = after + 1;
            if (start < oldest)
            {
                gapFrom = start;
                gapTo = oldest - 1;
                start = oldest;
            }
            var count = (int)Math.Clamp(_next - start, 0, limit);
            var lines = new LogLine[count];
            for (var i = 0; i < count; i++)
            {
                lines[i] = _ring[(start + i) % _ring.Length];
            }
            return (lines, gapFrom, gapTo);
        }
    }

    /// <summary>Lines after <paramref name="after"/>, in order: from the archive, the lines not archived yet, then the ring.</summary>
    public IReadOnlyList<LogLine> Read(long after, int limit)
    {
        var (live, gapFrom, _) = ReadLive(after, limit);
        if (gapFrom is null)
        {
            return live;
        }
        var lines = new List<LogLine>(Archive.Read(after, limit));
        var last = lines.Count > 0 ? lines[^1].Seq : after;
        if (lines.Count < limit)
        {
            lock (_lock)
            {
                lines.AddRange(_unarchived.Where(line => line.Seq > last).Take(limit - lines.Count));
            }
            last = lines.Count > 0 ? lines[^1].Seq : after;
        }
        // Every line is archived or still waiting for it, so the ring continues right after them, without a gap.
        if (lines.Count < limit && ReadLive(last, limit - lines.Count) is { GapFrom: null } tail)
        {
            lines.AddRange(tail.Lines);
        }
        return lines;
    }

    /// <summary>Completes when a line after <paramref name="after"/> exists or the log is complete.</summary>
    public Task WaitAsync(long after, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_next - 1 > after || _completed)
            {
                return Task.CompletedTask;
            }
            return _changed.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
