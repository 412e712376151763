namespace OpsConsole.Server.Logs;

/// <summary>
/// One line of a run's log (DESIGN.md 4.4) with the console's sequence number. <see cref="Text"/> is the line as the
/// job wrote it, after redaction; the other fields are parsed from it (empty for a plain-text line).
/// </summary>
public sealed record LogLine(long Seq, string Ts, string Level, string Source, string Event, string Msg, string Text);

/// <summary>
/// What the log hub streams: consecutive lines, or a gap (lines <see cref="GapFrom"/>..<see cref="GapTo"/> left the live
/// buffer: fetch them from <c>GET /api/runs/{id}/logs</c>), and finally <see cref="Done"/> when the run has ended.
/// </summary>
public sealed record LogBatch(IReadOnlyList<LogLine> Lines, long? GapFrom, long? GapTo, bool Done)
{
    /// <summary>Why there is nothing to stream (no such run), on the one batch that ends such a stream.</summary>
    public string? Error { get; init; }
}

/// <summary>A page of <c>GET /api/runs/{id}/logs</c>: lines after the requested sequence number.</summary>
/// <param name="Lines">At most the requested number of lines, in order.</param>
/// <param name="LastSeq">The highest sequence number the run's log has so far.</param>
/// <param name="Complete">The run has ended: no line will follow <paramref name="LastSeq"/>.</param>
public sealed record LogPage(IReadOnlyList<LogLine> Lines, long LastSeq, bool Complete);
