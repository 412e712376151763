using System.Text.Json;

namespace OpsConsole.SparkJobs.Logging;

/// <summary>
/// The job's output: one JSON object per line on stdout (DESIGN.md 4.4): <c>ts</c>, <c>level</c>, <c>source</c>
/// (<c>driver</c> or <c>executor-N</c>), <c>event</c> (<c>log</c>, <c>progress</c>, <c>slice</c>, <c>summary</c>),
/// <c>msg</c>, then the event's fields. Thread-safe; a line is written whole.
/// </summary>
public sealed class JobLog(TextWriter output, TimeProvider? time = null)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public void Info(string message, IReadOnlyDictionary<string, object?>? fields = null, string source = "driver") =>
        Write("info", "log", message, fields, source);

    public void Warn(string message, IReadOnlyDictionary<string, object?>? fields = null, string source = "driver") =>
        Write("warn", "log", message, fields, source);

    public void Error(string message, IReadOnlyDictionary<string, object?>? fields = null, string source = "driver") =>
        Write("error", "log", message, fields, source);

    public void Event(string eventName, string message, IReadOnlyDictionary<string, object?> fields, string source = "driver") =>
        Write("info", eventName, message, fields, source);

    private void Write(string level, string eventName, string message, IReadOnlyDictionary<string, object?>? fields, string source)
    {
        var line = new Dictionary<string, object?>
        {
            ["ts"] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["level"] = level,
            ["source"] = source,
            ["event"] = eventName,
            ["msg"] = message,
        };
        foreach (var (key, value) in fields ?? new Dictionary<string, object?>())
        {
            line[key] = value;
        }
        var json = JsonSerializer.Serialize(line, Json);
        lock (_lock)
        {
            output.WriteLine(json);
            output.Flush();
        }
    }
}
