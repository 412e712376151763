using Cronos;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Schedules;

/// <summary>
/// A schedule's cron expression in its time zone (Cronos does the calendar: daylight-saving gaps fire once at the
/// jump, repeated hours fire once). Five fields or a macro: a schedule fires at most once a minute.
/// </summary>
internal sealed class CronSchedule
{
    private static readonly string[] FieldNames = ["minute", "hour", "day of month", "month", "day of week"];

    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression, TimeZoneInfo zone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The expression as written (trimmed, single spaces).</summary>
    public string Text { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// Parses and checks an expression and a time zone; an error names the field (<c>cron</c> or <c>timeZone</c>)
    /// and, for the cron, which of its fields is wrong and at what character it starts.
    /// </summary>
    public static CronSchedule Parse(string? cron, string? timeZone)
    {
        var zone = ParseZone(timeZone);
        var text = cron?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new InvalidFieldException("cron", "is required: five fields (minute hour day-of-month month day-of-week), like '0 2 * * *' for 02:00 every day.");
        }
        if (text.StartsWith('@'))
        {
            return CronExpression.TryParse(text, CronFormat.Standard, out var macro) && text != "@every_second"
                ? Checked(new CronSchedule(text, macro, zone))
                : throw new InvalidFieldException("cron", $"'{InvalidFieldException.Quote(text)}' is not a macro: one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually, @every_minute.");
        }
        var fields = new List<(string Text, int Position)>();
        for (var i = 0; i < text.Length;)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            fields.Add((text[start..i], start + 1));
        }
        if (fields.Count != 5)
        {
            throw new InvalidFieldException("cron", fields.Count == 6
                ? "has 6 fields: a schedule fires at most once a minute, so write 5 (minute hour day-of-month month day-of-week) without seconds."
                : $"has {fields.Count} field{(fields.Count == 1 ? "" : "s")}; it needs 5: minute hour day-of-month month day-of-week (like '0 2 * * *').");
        }
        var normalized = string.Join(' ', fields.Select(field => field.Text));
        if (CronExpression.TryParse(normalized, CronFormat.Standard, out var expression))
        {
            return Checked(new CronSchedule(normalized, expression, zone));
        }
        for (var i = 0; i < fields.Count; i++)
        {
            var alone = string.Join(' ', fields.Select((field, j) => j == i ? field.Text : "*"));
            if (!CronExpression.TryParse(alone, CronFormat.Standard, out _))
            {
                throw new InvalidFieldException("cron",
                    $"field {i + 1} ({FieldNames[i]}) at position {fields[i].Position}: '{InvalidFieldException.Quote(fields[i].Text)}' is not valid there ({Allowed(i)}).");
            }
        }
        throw new InvalidFieldException("cron", $"'{InvalidFieldException.Quote(normalized)}' is not valid: '?' may stand in day of month or day of week, not both.");
    }

    /// <summary>The fire times after <paramref name="after"/> up to and including <paramref name="until"/>, oldest first, in UTC.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset until) =>
        until <= after ? [] : _expression.GetOccurrences(after, until, Zone, fromInclusive: false, toInclusive: true).Select(at => at.ToUniversalTime());

    /// <summary>The first fire time after <paramref name="after"/> (UTC), or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone)?.ToUniversalTime();

    /// <summary>The next <paramref name="count"/> fire times after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        for (var at = Next(after); at is { } next && times.Count < count; at = Next(next))
        {
            times.Add(next);
        }
        return times;
    }

    /// <summary>The zone's IANA id as stored (<c>UTC</c> when unset).</summary>
    public string ZoneId => Zone.Id;

    private static TimeZoneInfo ParseZone(string? timeZone)
    {
        var id = timeZone?.Trim() is { Length: > 0 } given ? given : "UTC";
        try
        {
            return id.Equals("UTC", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidFieldException("timeZone", $"'{InvalidFieldException.Quote(id)}' is not an IANA time zone (like UTC, Europe/Berlin, America/New_York).");
        }
    }

    /// <summary>An expression that can never fire (the 30th of February) is refused rather than stored as a schedule that never runs.</summary>
    private static CronSchedule Checked(CronSchedule schedule) => schedule.Next(DateTimeOffset.UnixEpoch) is null
        ? throw new InvalidFieldException("cron", $"'{InvalidFieldException.Quote(schedule.Text)}' never fires (no such day in any month).")
        : schedule;

    private static string Allowed(int field) => field switch
    {
        0 => "0-59, lists, ranges and steps like */15",
        1 => "0-23, lists, ranges and steps",
        2 => "1-31, L, W, ?, lists, ranges and steps",
        3 => "1-12 or JAN-DEC, lists, ranges and steps",
        _ => "0-7 or SUN-SAT, L, #, ?, lists, ranges and steps",
    };
}
