using System.Runtime.Serialization;

namespace OpsConsole.Server.Logs;

/// <summary>
/// One line of a run's log (DESIGN.md 4.4) with the console's sequence number. <see cref="Text"/> is the line as the
/// job wrote it, after redaction; the other fields are parsed from it (empty for a plain-text line).
/// </summary>
[DataContract]
public sealed record LogLine(
    [property: DataMember(Name = "seq")] long Seq,
    [property: DataMember(Name = "ts")] string Ts,
    [property: DataMember(Name = "level")] string Level,
    [property: DataMember(Name = "source")] string Source,
    [property: DataMember(Name = "event")] string Event,
    [property: DataMember(Name = "msg")] string Msg,
    [property: DataMember(Name = "text")] string Text);

/// <summary>
/// What the log hub streams: consecutive lines, or a gap (lines <see cref="GapFrom"/>..<see cref="GapTo"/> left the live
/// buffer: fetch them from <c>GET /api/runs/{id}/logs</c>), and finally <see cref="Done"/> when the run has ended. The
/// <see cref="DataMemberAttribute"/> names make the MessagePack protocol's keys the JSON protocol's names.
/// </summary>
[DataContract]
public sealed record LogBatch(
    [property: DataMember(Name = "lines")] IReadOnlyList<LogLine> Lines,
    [property: DataMember(Name = "gapFrom")] long? GapFrom,
    [property: DataMember(Name = "gapTo")] long? GapTo,
    [property: DataMember(Name = "done")] bool Done)
{
    /// <summary>Why there is nothing to stream (no such run), on the one batch that ends such a stream.</summary>
    [DataMember(Name = "error")]
    public string? Error { get; init; }
}

/// <summary>A page of <c>GET /api/runs/{id}/logs</c>: lines after the requested sequence number.</summary>
/// <param name="Lines">At most the requested number of lines, in order.</param>
/// <param name="LastSeq">The highest sequence number the run's log has so far.</param>
/// <param name="Complete">The run has ended: no line will follow <paramref name="LastSeq"/>.</param>
public sealed record LogPage(IReadOnlyList<LogLine> Lines, long LastSeq, bool Complete);
