using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Logs;

/// <summary>Reads the job's JSON lines (DESIGN.md 4.4); anything else is a plain-text line kept as it is.</summary>
public static class JobLineParser
{
    /// <summary>Parses one redacted line into a <see cref="LogLine"/> with sequence number <paramref name="seq"/>.</summary>
    public static LogLine Parse(long seq, string text) =>
        JobLines.ReadHeader(text) is { } header
            ? new LogLine(seq, header.Ts, Shared(header.Level), Shared(header.Source), Shared(header.Event), header.Msg, text)
            : Plain(seq, text);

    /// <summary>The progress a <c>progress</c> or <c>summary</c> line reports, or null for any other line (or one that does not read).</summary>
    public static RunProgress? Progress(LogLine line, DateTimeOffset now) => line.Event switch
    {
        JobEvents.Progress when JobLines.Read(line.Text, JobJsonContext.Default.ProgressEvent) is { } progress =>
            new RunProgress(progress.Records, progress.Pages, progress.Bytes, progress.RateLimited, progress.Retries, progress.RecordsPerSecond,
                progress.SlicesDone, progress.Slices, now),
        JobEvents.Summary when JobLines.Read(line.Text, JobJsonContext.Default.SummaryEvent) is { } summary =>
            new RunProgress(summary.Records, summary.Pages ?? 0, summary.Bytes ?? 0, summary.RateLimited ?? 0, summary.Retries ?? 0, 0, 0, 0, now),
        _ => null,
    };

    /// <summary>What a <c>planning</c> line says of the search for a first run's start (its message), or null for any other line.</summary>
    public static string? Planning(LogLine line) =>
        line.Event == JobEvents.Planning && JobLines.Read(line.Text, JobJsonContext.Default.PlanningEvent) is not null ? line.Msg : null;

    /// <summary>The window a <c>plan</c> line reports ([from, to), unix seconds), or null for any other line.</summary>
    public static (long From, long To)? Plan(LogLine line) =>
        line.Event == JobEvents.Plan && JobLines.Read(line.Text, JobJsonContext.Default.PlanEvent) is { } plan ? (plan.From, plan.To) : null;

    /// <summary>The resources a line reports the job has used so far (any line with <c>cpu_seconds</c>), or null.</summary>
    public static RunUsage? Usage(LogLine line)
    {
        if (line.Event.Length == 0 || JobLines.ReadUsage(line.Text) is not { } usage)
        {
            return null;
        }
        return new RunUsage
        {
            CpuSeconds = usage.CpuSeconds, PeakRssBytes = usage.PeakRssBytes, LakePuts = usage.LakePuts, LakeGets = usage.LakeGets,
            StateWrites = usage.StateWrites, StateReads = usage.StateReads,
            TableBytes = line.Event == JobEvents.Summary ? JobLines.Read(line.Text, JobJsonContext.Default.SummaryEvent)?.TableBytes ?? 0 : 0,
        };
    }

    /// <summary>The data-quality outcome and failing rule names a <c>dq</c> line reports, or null for any other line.</summary>
    public static (string Outcome, IReadOnlyList<string> FailedRules)? Quality(LogLine line)
    {
        if (line.Event != JobEvents.Quality || JobLines.Read(line.Text, JobJsonContext.Default.QualityEvent) is not { } quality
            || quality.Outcome is not (QualityOutcomes.Passed or QualityOutcomes.Warned or QualityOutcomes.Failed or QualityOutcomes.Blocked))
        {
            return null;
        }
        return (quality.Outcome, [.. (quality.FailedRules ?? []).Where(r => r is not null).Take(100)]);
    }

    /// <summary>
    /// One instance per distinct level, source and event value: a buffer of 100,000 lines then holds a handful of these
    /// strings instead of 300,000 copies. Bounded, so a job that invents values cannot grow it without limit.
    /// </summary>
    private static string Shared(string value)
    {
        if (SharedValues.TryGetValue(value, out var shared))
        {
            return shared;
        }
        if (SharedValues.Count < 4096)
        {
            SharedValues.TryAdd(value, value);
        }
        return value;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> SharedValues = new(StringComparer.Ordinal);

    private static LogLine Plain(long seq, string text) => new(seq, "", "", "", "", text, text);
}
