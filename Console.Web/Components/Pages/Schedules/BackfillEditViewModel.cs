using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Schedules;

/// <summary>A new backfill: the stream, a past window in UTC, a run per day or week; how many runs it makes is shown before it is queued.</summary>
public sealed class BackfillEditViewModel(IBackfillService backfills, CallerInfo caller, DateTimeOffset now)
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public string Stream { get; set; } = "charges";

    /// <summary>The window's start, UTC (a week back from today's midnight by default).</summary>
    public DateTime? From { get; set; } = now.UtcDateTime.Date.AddDays(-7);

    /// <summary>The window's end, UTC, exclusive (today's midnight by default).</summary>
    public DateTime? To { get; set; } = now.UtcDateTime.Date;

    public string Step { get; set; } = "day";

    public int? Workers { get; set; }

    public bool Busy { get; private set; }

    public string? Error(string field) => _errors.GetValueOrDefault(field);

    /// <summary>How the window splits ("7 runs, one per UTC day"), or null while it is incomplete.</summary>
    public string? Plan => From is { } from && To is { } to && to > from
        ? (int)Math.Ceiling((to - from).TotalDays / (Step == "week" ? 7 : 1)) is var approx && approx > 0
            ? $"about {approx} run{(approx == 1 ? "" : "s")}, one per {(Step == "week" ? "week from Monday" : "day")} (UTC), one after another"
            : null
        : null;

    /// <summary>The backfill queued, or null when it was refused (the reasons are at their fields).</summary>
    public async Task<BackfillInfo?> SubmitAsync()
    {
        _errors.Clear();
        Busy = true;
        try
        {
            return await backfills.CreateAsync(new BackfillRequest
            {
                Stream = Stream,
                From = From is { } from ? new DateTimeOffset(from, TimeSpan.Zero) : null,
                To = To is { } to ? new DateTimeOffset(to, TimeSpan.Zero) : null,
                Step = Step,
                Workers = Workers,
            }, caller);
        }
        catch (InvalidFieldException exception)
        {
            _errors[exception.Field] = exception.Message;
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            _errors[""] = exception.Message;
        }
        finally
        {
            Busy = false;
        }
        return null;
    }
}
