using System.Text.Json.Serialization.Metadata;
using OpsConsole.Shared.Jobs;

namespace OpsConsole.SparkJobs.Logging;

/// <summary>
/// The job's output: one JSON object per line on stdout, in the contract the console reads
/// (<see cref="JobEvents"/>, <see cref="JobLines"/>). <c>log</c> lines carry free-form context fields; progress,
/// slice, dq and summary lines carry their typed events. Thread-safe; a line is written whole.
/// </summary>
public sealed class JobLog(TextWriter output, TimeProvider? time = null)
{
    private const string Driver = "driver";
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public void Info(string message, IReadOnlyDictionary<string, object?>? fields = null, string source = Driver) =>
        Write(JobLines.Format(Header("info", JobEvents.Log, message, source), null, fields));

    public void Warn(string message, IReadOnlyDictionary<string, object?>? fields = null, string source = Driver, JobUsage? usage = null) =>
        Write(JobLines.Format(Header("warn", JobEvents.Log, message, source), usage, fields));

    public void Error(string message, IReadOnlyDictionary<string, object?>? fields = null, string source = Driver, JobUsage? usage = null) =>
        Write(JobLines.Format(Header("error", JobEvents.Log, message, source), usage, fields));

    public void Progress(string message, ProgressEvent progress, JobUsage usage) =>
        Event(JobEvents.Progress, message, progress, JobJsonContext.Default.ProgressEvent, Driver, usage);

    public void Plan(string message, PlanEvent plan) =>
        Event(JobEvents.Plan, message, plan, JobJsonContext.Default.PlanEvent, Driver, null);

    public void Planning(string message, PlanningEvent planning) =>
        Event(JobEvents.Planning, message, planning, JobJsonContext.Default.PlanningEvent, Driver, null);

    public void Slice(string message, SliceEvent slice, string source) =>
        Event(JobEvents.Slice, message, slice, JobJsonContext.Default.SliceEvent, source, null);

    public void Quality(string message, QualityEvent quality) =>
        Event(JobEvents.Quality, message, quality, JobJsonContext.Default.QualityEvent, Driver, null);

    public void Summary(string message, SummaryEvent summary, JobUsage? usage = null) =>
        Event(JobEvents.Summary, message, summary, JobJsonContext.Default.SummaryEvent, Driver, usage);

    private void Event<T>(string name, string message, T payload, JsonTypeInfo<T> type, string source, JobUsage? usage)
        where T : class =>
        Write(JobLines.Format(Header("info", name, message, source), payload, type, usage));

    private JobLineHeader Header(string level, string name, string message, string source) =>
        new(_time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), level, source, name, message);

    private void Write(string line)
    {
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
