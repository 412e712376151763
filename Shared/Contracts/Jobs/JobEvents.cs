using System.Text.Json.Serialization;

namespace OpsConsole.Shared.Jobs;

/// <summary>
/// The job's output contract with the console: one JSON object per line, <c>ts</c>, <c>level</c>, <c>source</c>
/// (<c>driver</c>, <c>executor-N</c>), <c>event</c>, <c>msg</c>, then the event's fields in snake_case, and on
/// progress, summary and failure lines the usage so far (<see cref="JobUsage"/>). <see cref="JobLines"/> writes and
/// reads them; an event or a field this side does not know is kept as a plain line, never an error.
/// </summary>
public static class JobEvents
{
    public const string Log = "log";
    public const string Plan = "plan";
    public const string Planning = "planning";
    public const string Progress = "progress";
    public const string Slice = "slice";
    public const string Quality = "dq";
    public const string Summary = "summary";
}

/// <summary>What every line of the job carries.</summary>
public sealed record JobLineHeader(
    [property: JsonPropertyName("ts")] string Ts,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("msg")] string Msg);

/// <summary>What the run has used so far: the process's CPU and peak memory, and its requests to the lake and the state store.</summary>
public sealed record JobUsage(double CpuSeconds, long PeakRssBytes, long LakePuts, long LakeGets, long StateWrites, long StateReads);

/// <summary>A <c>progress</c> line, about once a second while slices are fetched.</summary>
public sealed record ProgressEvent(long Records, long Pages, long Bytes, long Requests, long RateLimited, long Retries, int SlicesDone, int Slices,
    double RecordsPerSecond);

/// <summary>
/// The <c>plan</c> line, once the window is known: objects created in [<see cref="From"/>, <see cref="To"/>) (unix
/// seconds), the slices left and those an earlier attempt finished, from the checkpoint it read.
/// </summary>
/// <summary>
/// A <c>planning</c> line, one per round of the search for a first run's start: after <see cref="Round"/> rounds of
/// <see cref="Probes"/> probes, the oldest object was created in [<see cref="From"/>, <see cref="To"/>] (unix seconds).
/// </summary>
public sealed record PlanningEvent(int Round, int Probes, long From, long To);

public sealed record PlanEvent(string RunId, string Stream, long From, long To, int Slices, int Done, int Workers, long? Cursor, long CheckpointVersion, string Mode);

/// <summary>A <c>slice</c> line: a slice done (records and pages), or cut into smaller pieces (split into).</summary>
public sealed record SliceEvent(long From, long To, long? Records = null, int? Pages = null, int? SplitInto = null);

/// <summary>A <c>dq</c> line: the run's data-quality outcome and its failing rules.</summary>
public sealed record QualityEvent(string Outcome, int Rules, int Failed, IReadOnlyList<string> FailedRules, string? Report);

/// <summary>The <c>summary</c> line that ends a run that succeeded (or that was committed by an earlier attempt).</summary>
public sealed record SummaryEvent(long Records, long? Cursor, long? CheckpointVersion)
{
    public long? Pages { get; init; }

    public long? Requests { get; init; }

    public long? Bytes { get; init; }

    public long? RateLimited { get; init; }

    public long? Retries { get; init; }

    public long? Rejected { get; init; }

    public long? TableVersion { get; init; }

    public long? TableBytes { get; init; }

    public string? Quality { get; init; }

    public double? Seconds { get; init; }

    public bool? AlreadyCommitted { get; init; }
}
