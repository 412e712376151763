using System.Globalization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Streams;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Schedules;

/// <summary>
/// Creating or changing a schedule: every field with its default, the next five fire times as the expression and the
/// time zone are typed (in the zone and in UTC), and each refused field's error next to it.
/// </summary>
public sealed class ScheduleEditViewModel
{
    private readonly IScheduleService _schedules;
    private readonly CallerInfo _caller;
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public ScheduleEditViewModel(IScheduleService schedules, CallerInfo caller, ScheduleInfo? existing = null)
    {
        _schedules = schedules;
        _caller = caller;
        Existing = existing;
        if (existing is not null)
        {
            Name = existing.Name;
            Stream = existing.Stream;
            Cron = existing.Cron;
            TimeZone = existing.TimeZone;
            Enabled = existing.Enabled;
            Overlap = existing.Overlap;
            CatchUp = existing.CatchUp;
            CatchUpLimit = existing.CatchUpLimit;
            JitterSeconds = existing.JitterSeconds;
            Mode = existing.Mode;
            Workers = existing.Workers;
            Retries = existing.Retries;
            RetryBackoffSeconds = existing.RetryBackoffSeconds;
        }
        UpdatePreview();
    }

    public static IReadOnlyList<string> Streams { get; } = StreamCatalog.Names();

    /// <summary>The time zones this machine knows, for the zone field's suggestions.</summary>
    public static IReadOnlyList<string> Zones { get; } = [.. TimeZoneInfo.GetSystemTimeZones().Select(zone => zone.Id).Prepend("UTC").Distinct().Order(StringComparer.Ordinal)];

    public ScheduleInfo? Existing { get; }

    public bool Creating => Existing is null;

    public string? Name { get; set; }

    public string? Stream { get; set; } = "charges";

    public string? Cron { get; set; } = "0 2 * * *";

    public string? TimeZone { get; set; } = "UTC";

    public bool Enabled { get; set; } = true;

    public string Overlap { get; set; } = OverlapPolicies.Skip;

    public string CatchUp { get; set; } = CatchUpPolicies.Latest;

    public int? CatchUpLimit { get; set; } = 10;

    public int? JitterSeconds { get; set; } = 0;

    public string Mode { get; set; } = "incremental";

    public int? Workers { get; set; }

    /// <summary>Automatic retries of each run after a retryable failure; 0: one attempt.</summary>
    public int Retries { get; set; }

    public int RetryBackoffSeconds { get; set; } = Shared.Runs.RetryPolicy.DefaultBackoffSeconds;

    public bool Busy { get; private set; }

    /// <summary>The next fire times, each in the schedule's zone and in UTC; empty while the expression or the zone is wrong.</summary>
    public IReadOnlyList<(string Local, string Utc)> Preview { get; private set; } = [];

    public string? Error(string field) => _errors.GetValueOrDefault(field);

    /// <summary>Recomputes the next five fire times; an error in the expression or the zone shows at that field.</summary>
    public void UpdatePreview()
    {
        _errors.Remove("cron");
        _errors.Remove("timeZone");
        try
        {
            var zone = FindZone(TimeZone);
            Preview = [.. _schedules.Preview(Cron, TimeZone, 5).Select(at => (Local(at, zone), $"{Format.Minute(at)} UTC"))];
        }
        catch (InvalidFieldException exception)
        {
            _errors[exception.Field] = exception.Message;
            Preview = [];
        }
    }

    /// <summary>The schedule saved, or null when it was refused (the reasons are at their fields).</summary>
    public async Task<ScheduleInfo?> SubmitAsync()
    {
        _errors.Clear();
        Busy = true;
        try
        {
            var request = new ScheduleRequest
            {
                Name = Name, Stream = Stream, Cron = Cron, TimeZone = TimeZone, Enabled = Enabled, Overlap = Overlap, CatchUp = CatchUp,
                CatchUpLimit = CatchUpLimit, JitterSeconds = JitterSeconds, Mode = Mode, Workers = Workers,
                Retries = Retries, RetryBackoffSeconds = RetryBackoffSeconds,
            };
            return Creating ? await _schedules.CreateAsync(request, _caller) : await _schedules.UpdateAsync(Existing!.Name, request, _caller);
        }
        catch (InvalidFieldException exception)
        {
            _errors[exception.Field] = exception.Message;
        }
        catch (ScheduleExistsException exception)
        {
            _errors["name"] = exception.Message;
        }
        catch (Exception exception) when (exception is KeyNotFoundException or UnauthorizedAccessException or IOException)
        {
            _errors[""] = exception.Message;
        }
        finally
        {
            Busy = false;
        }
        return null;
    }

    private static TimeZoneInfo? FindZone(string? id)
    {
        try
        {
            return string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    private static string Local(DateTimeOffset at, TimeZoneInfo? zone)
    {
        if (zone is null)
        {
            return Format.Minute(at);
        }
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return $"{local.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} {zone.Id}";
    }
}
