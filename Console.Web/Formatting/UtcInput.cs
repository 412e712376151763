using System.Globalization;

namespace OpsConsole.Web;

/// <summary>
/// A UTC time in a <c>datetime-local</c> input: the browser shows and returns it as typed, with no time zone, so the
/// console reads it as UTC (every label says so) and never as the browser's local time.
/// </summary>
public static class UtcInput
{
    private static readonly string[] Formats = ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff"];

    /// <summary>The input's value for a time (seconds shown only when they are not zero, or when asked for).</summary>
    public static string? Text(DateTime? time, bool seconds = false) =>
        time?.ToString(seconds || time.Value.Second != 0 ? "yyyy-MM-ddTHH:mm:ss" : "yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    /// <summary>The time an input's value stands for (UTC); null for an empty or unreadable value.</summary>
    public static DateTime? Parse(string? text) =>
        DateTime.TryParseExact(text?.Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
