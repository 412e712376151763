using OpsConsole.Shared.Auth;

namespace OpsConsole.Shared.Schedules;

/// <summary>What a fire time does when the stream still has a run: skip it, wait for the run (one fire at most), or cancel the run.</summary>
public static class OverlapPolicies
{
    public const string Skip = "skip";
    public const string Queue = "queue";
    public const string Cancel = "cancel";

    public static IReadOnlyList<string> All { get; } = [Skip, Queue, Cancel];
}

/// <summary>
/// Which fire times that passed while no scheduler ran (the console down, no leader) still launch: none of them, the
/// latest, or the latest N one after another, oldest first.
/// </summary>
public static class CatchUpPolicies
{
    public const string None = "none";
    public const string Latest = "latest";
    public const string All = "all";

    public static IReadOnlyList<string> Values { get; } = [None, Latest, All];
}

/// <summary>What became of a fire time.</summary>
public static class FireOutcomes
{
    /// <summary>Due (or waiting for its jitter, or for the stream): it launches when it can.</summary>
    public const string Pending = "pending";

    /// <summary>Being launched by the scheduler now.</summary>
    public const string Launching = "launching";

    public const string Launched = "launched";

    /// <summary>The stream was busy and the overlap policy skipped it (or a fire was already waiting).</summary>
    public const string Skipped = "skipped";

    /// <summary>It passed while no scheduler ran and the catch-up policy did not launch it.</summary>
    public const string Missed = "missed";

    /// <summary>The launch was refused (the reason is in the fire's detail).</summary>
    public const string Failed = "failed";
}

/// <summary>A schedule as an operator writes it (<c>POST</c> and <c>PUT /api/schedules</c>); unset fields take their defaults.</summary>
public sealed record ScheduleRequest
{
    /// <summary>The schedule's name, its identity: lower-case letters, digits and dashes, 1 to 40; fixed once created.</summary>
    public string? Name { get; init; }

    public string? Source { get; init; } = Streams.StreamCatalog.Stripe;

    public string? Stream { get; init; }

    /// <summary>A cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro such as <c>@daily</c>.</summary>
    public string? Cron { get; init; }

    /// <summary>An IANA time zone (<c>Europe/Berlin</c>); the cron's times are wall-clock times there. Unset: UTC.</summary>
    public string? TimeZone { get; init; } = "UTC";

    public bool? Enabled { get; init; } = true;

    /// <summary><see cref="OverlapPolicies"/>; unset: skip.</summary>
    public string? Overlap { get; init; } = OverlapPolicies.Skip;

    /// <summary><see cref="CatchUpPolicies"/>; unset: latest.</summary>
    public string? CatchUp { get; init; } = CatchUpPolicies.Latest;

    /// <summary>With catch-up <c>all</c>: at most this many missed fire times launch (1 to 100); unset: 10.</summary>
    public int? CatchUpLimit { get; init; }

    /// <summary>A delay of 0 to this many seconds after each fire time, the same for a given fire time (spreads schedules that share a minute).</summary>
    public int? JitterSeconds { get; init; }

    /// <summary>The runs' mode: <c>incremental</c> (from the checkpoint) or <c>full</c>.</summary>
    public string? Mode { get; init; } = "incremental";

    /// <summary>The runs' workers, 1 to 64; unset: the launch default.</summary>
    public int? Workers { get; init; }

    /// <summary>Automatic retries of each run after a retryable failure (0 to 9, <see cref="Runs.RetryPolicy"/>); unset: 0.</summary>
    public int? Retries { get; init; }

    /// <summary>Seconds before a run's first retry (1 to 3600), doubling for each later one; unset: 60.</summary>
    public int? RetryBackoffSeconds { get; init; }
}

/// <summary>One schedule with its last and next fire.</summary>
public sealed record ScheduleInfo
{
    public required string Name { get; init; }

    public required string Source { get; init; }

    public required string Stream { get; init; }

    public required string Cron { get; init; }

    public required string TimeZone { get; init; }

    public required bool Enabled { get; init; }

    public required string Overlap { get; init; }

    public required string CatchUp { get; init; }

    public required int CatchUpLimit { get; init; }

    public required int JitterSeconds { get; init; }

    public required string Mode { get; init; }

    public int? Workers { get; init; }

    public int Retries { get; init; }

    public int RetryBackoffSeconds { get; init; } = Runs.RetryPolicy.DefaultBackoffSeconds;

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string UpdatedBy { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The next fire time (UTC), or null while paused.</summary>
    public DateTimeOffset? NextFireAt { get; init; }

    /// <summary>The latest fire time recorded, whatever became of it.</summary>
    public ScheduleFire? LastFire { get; init; }
}

/// <summary>A fire time of a schedule and what became of it.</summary>
public sealed record ScheduleFire
{
    public required string Schedule { get; init; }

    /// <summary>The cron's time (UTC).</summary>
    public required DateTimeOffset FireAt { get; init; }

    /// <summary>When it may launch: the fire time plus its jitter.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary><see cref="FireOutcomes"/>.</summary>
    public required string Outcome { get; init; }

    public string? RunId { get; init; }

    /// <summary>Why it was skipped, missed or failed.</summary>
    public string? Detail { get; init; }

    /// <summary>A fire time that passed while no scheduler ran, launched to catch up: it waits for the fires before it rather than being skipped.</summary>
    public bool CatchUp { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The schedules: the API and the UI both go through this. Every refused field is an <see cref="Validation.InvalidFieldException"/> naming it.</summary>
public interface IScheduleService
{
    Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default);

    Task<ScheduleInfo?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>A schedule's fire times, newest first.</summary>
    Task<IReadOnlyList<ScheduleFire>> FiresAsync(string name, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The next <paramref name="count"/> fire times (UTC) of a cron expression in a time zone, after now.</summary>
    IReadOnlyList<DateTimeOffset> Preview(string? cron, string? timeZone, int count = 5);

    /// <summary>Creates a schedule (Operator and up); <see cref="ScheduleExistsException"/> when the name is taken.</summary>
    Task<ScheduleInfo> CreateAsync(ScheduleRequest request, CallerInfo caller, CancellationToken cancellationToken = default);

    /// <summary>Replaces a schedule's definition (the name stays); <see cref="KeyNotFoundException"/> when there is none.</summary>
    Task<ScheduleInfo> UpdateAsync(string name, ScheduleRequest request, CallerInfo caller, CancellationToken cancellationToken = default);

    /// <summary>Pauses (false) or resumes (true) a schedule; a resumed schedule fires from now on, never for the time it was paused.</summary>
    Task<ScheduleInfo> SetEnabledAsync(string name, bool enabled, CallerInfo caller, CancellationToken cancellationToken = default);

    Task DeleteAsync(string name, CallerInfo caller, CancellationToken cancellationToken = default);
}

/// <summary>A schedule of that name exists already.</summary>
public sealed class ScheduleExistsException(string name) : Exception($"A schedule named '{name}' exists already.")
{
    public string Name { get; } = name;
}

/// <summary>How a scheduled run names who launched it (<see cref="Runs.RunInfo.LaunchedBy"/>): user names cannot hold a colon.</summary>
public static class ScheduleCallers
{
    public const string Prefix = "schedule:";

    public static string Of(string schedule) => Prefix + schedule;

    /// <summary>The schedule that launched a run, or null when a person (or an API key) did.</summary>
    public static string? ScheduleOf(string launchedBy) => launchedBy.StartsWith(Prefix, StringComparison.Ordinal) ? launchedBy[Prefix.Length..] : null;
}
