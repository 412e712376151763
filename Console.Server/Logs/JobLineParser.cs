using System.Globalization;
using System.Text.Json;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Logs;

/// <summary>Reads the job's JSON lines (DESIGN.md 4.4); anything else is a plain-text line kept as it is.</summary>
public static class JobLineParser
{
    /// <summary>Parses one redacted line into a <see cref="LogLine"/> with sequence number <paramref name="seq"/>.</summary>
    public static LogLine Parse(long seq, string text)
    {
        if (text.Length < 2 || text[0] != '{')
        {
            return Plain(seq, text);
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Plain(seq, text);
            }
            return new LogLine(seq, String(root, "ts"), Shared(String(root, "level")), Shared(String(root, "source")), Shared(String(root, "event")),
                String(root, "msg"), text);
        }
        catch (JsonException)
        {
            return Plain(seq, text);
        }
    }

    /// <summary>The progress a <c>progress</c> or <c>summary</c> line reports, or null for any other line.</summary>
    public static RunProgress? Progress(LogLine line, DateTimeOffset now)
    {
        if (line.Event is not ("progress" or "summary"))
        {
            return null;
        }
        using var document = JsonDocument.Parse(line.Text);
        var root = document.RootElement;
        return new RunProgress(Number(root, "records"), Number(root, "pages"), Number(root, "bytes"), Number(root, "rate_limited"),
            Number(root, "retries"), root.TryGetProperty("records_per_second", out var rate) && rate.TryGetDouble(out var value) ? value : 0,
            (int)Number(root, "slices_done"), (int)Number(root, "slices"), now);
    }

    /// <summary>The resources a line reports the job has used so far (any line with <c>cpu_seconds</c>), or null.</summary>
    public static RunUsage? Usage(LogLine line)
    {
        if (line.Event.Length == 0 || !line.Text.Contains("\"cpu_seconds\"", StringComparison.Ordinal))
        {
            return null;
        }
        using var document = JsonDocument.Parse(line.Text);
        var root = document.RootElement;
        return root.TryGetProperty("cpu_seconds", out var cpu) && cpu.TryGetDouble(out var seconds)
            ? new RunUsage
            {
                CpuSeconds = seconds, PeakRssBytes = Number(root, "peak_rss_bytes"), LakePuts = Number(root, "lake_puts"), LakeGets = Number(root, "lake_gets"),
                StateWrites = Number(root, "state_writes"), StateReads = Number(root, "state_reads"), TableBytes = Number(root, "table_bytes"),
            }
            : null;
    }

    /// <summary>The data-quality outcome and failing rule names a <c>dq</c> line reports, or null for any other line.</summary>
    public static (string Outcome, IReadOnlyList<string> FailedRules)? Quality(LogLine line)
    {
        if (line.Event != "dq")
        {
            return null;
        }
        using var document = JsonDocument.Parse(line.Text);
        var root = document.RootElement;
        var outcome = String(root, "outcome");
        if (outcome is not (QualityOutcomes.Passed or QualityOutcomes.Warned or QualityOutcomes.Failed or QualityOutcomes.Blocked))
        {
            return null;
        }
        var failed = root.TryGetProperty("failed_rules", out var rules) && rules.ValueKind == JsonValueKind.Array
            ? rules.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).Take(100).ToList()
            : [];
        return (outcome, failed);
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

    private static string String(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Undefined or JsonValueKind.Null => "",
        _ => value.GetRawText(),
    } : "";

    private static long Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
        : root.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.String
          && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number) ? number : 0;
}
