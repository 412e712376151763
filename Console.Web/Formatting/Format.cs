using System.Globalization;

namespace OpsConsole.Web;

/// <summary>How numbers, bytes, durations, times and money read on screen: one place, invariant culture, UTC.</summary>
public static class Format
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A count with its noun: "1 rule", "1,024 rules" (nouns that take an s).</summary>
    public static string Count(long value, string noun) => $"{Count(value)} {noun}{(value == 1 ? "" : "s")}";

    /// <summary>A rate or another quantity shown whole (records/s).</summary>
    public static string Rate(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A number with at most <paramref name="decimals"/> decimals, trailing zeros dropped.</summary>
    public static string Number(double value, int decimals = 2) =>
        value.ToString("0." + new string('#', Math.Max(1, decimals)), CultureInfo.InvariantCulture);

    public static string Percent(double fraction, int decimals = 1) =>
        (fraction * 100).ToString("0." + new string('0', Math.Max(0, decimals)), CultureInfo.InvariantCulture) + " %";

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{(bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        < 1024L * 1024 * 1024 => $"{(bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
        _ => $"{(bytes / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture)} GiB",
    };

    public static string Duration(double? seconds) => seconds switch
    {
        null => "—",
        < 60 => $"{seconds.Value.ToString("0.0", CultureInfo.InvariantCulture)} s",
        < 3600 => $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s",
        _ => $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min",
    };

    public static string Duration(TimeSpan? span) => Duration(span?.TotalSeconds);

    /// <summary>A unix time in seconds, to the minute, UTC.</summary>
    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A time to the second, UTC ("—" when there is none).</summary>
    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>A time to the minute, UTC ("—" when there is none).</summary>
    public static string Minute(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>How long ago, to one unit ("12 s ago", "3 min ago", "5 h ago", "2 d ago"); the date after 30 days.</summary>
    public static string Ago(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } at)
        {
            return "—";
        }
        var seconds = Math.Max(0, (now - at).TotalSeconds);
        return seconds switch
        {
            < 60 => $"{(int)seconds} s ago",
            < 3600 => $"{(int)(seconds / 60)} min ago",
            < 86400 => $"{(int)(seconds / 3600)} h ago",
            < 30 * 86400 => $"{(int)(seconds / 86400)} d ago",
            _ => Date(at),
        };
    }

    /// <summary>A day, UTC.</summary>
    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Dollars, one format everywhere: cents from a dollar up, four decimals below (a short run's sums), "&lt; $0.0001"
    /// for less than that, and a plain $0.00 for nothing.
    /// </summary>
    public static string Usd(double value) => Math.Abs(value) switch
    {
        0 => "$0.00",
        >= 1 => "$" + value.ToString("N2", CultureInfo.InvariantCulture),
        >= 0.0001 => "$" + value.ToString("0.0000", CultureInfo.InvariantCulture),
        _ => "< $0.0001",
    };
}
