using System.Globalization;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>One line of the runs grid: flat properties the grid sorts and filters on.</summary>
public sealed record RunRow
{
    public required string Id { get; init; }

    public required string State { get; init; }

    public required string Stream { get; init; }

    public required string Mode { get; init; }

    /// <summary>The requested window, or what the job decides ("from the checkpoint").</summary>
    public required string Window { get; init; }

    public DateTime? Started { get; init; }

    public double? DurationSeconds { get; init; }

    public long Records { get; init; }

    /// <summary>The live rate while the run is active; the average over the run once it has ended.</summary>
    public double RecordsPerSecond { get; init; }

    public required string LaunchedBy { get; init; }

    public bool Active { get; init; }

    public bool Forced { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>The data-quality outcome (passed, warned, failed, blocked), empty before the rules ran.</summary>
    public string Quality { get; init; } = "";

    public static RunRow From(RunInfo run, DateTimeOffset now) => new()
    {
        Id = run.Id,
        State = run.State.ToString(),
        Stream = run.Stream,
        Mode = run.Mode,
        Window = RunText.Window(run),
        Started = run.StartedAt?.UtcDateTime,
        DurationSeconds = run.Duration(now)?.TotalSeconds,
        Records = run.Progress.Records,
        RecordsPerSecond = run.State.IsActive() ? run.Progress.RecordsPerSecond : run.AverageRecordsPerSecond(now) ?? 0,
        LaunchedBy = run.LaunchedBy,
        Active = run.State.IsActive(),
        Forced = run.Forced,
        FailureReason = run.FailureReason,
        Quality = run.Quality ?? "",
    };
}

/// <summary>How runs read on screen, shared by the list and the run page.</summary>
public static class RunText
{
    public static string Window(RunInfo run) => (run.From, run.To) switch
    {
        (null, null) => run.Mode == "full" ? "full sync" : "from the checkpoint",
        ({ } from, null) => $"{Time(from)} → now",
        (null, { } to) => $"checkpoint → {Time(to)}",
        ({ } from, { } to) => $"{Time(from)} → {Time(to)}",
    };

    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "—";

    public static string Duration(double? seconds) => seconds switch
    {
        null => "—",
        < 60 => $"{seconds.Value.ToString("0.0", CultureInfo.InvariantCulture)} s",
        < 3600 => $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s",
        _ => $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min",
    };

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{(bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        < 1024L * 1024 * 1024 => $"{(bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
        _ => $"{(bytes / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture)} GiB",
    };

    /// <summary>Dollars with enough digits for the small sums of short runs.</summary>
    public static string Usd(double value) =>
        "$" + value.ToString(Math.Abs(value) >= 1 ? "N2" : Math.Abs(value) >= 0.01 ? "0.0000" : "0.000000", CultureInfo.InvariantCulture);

    /// <summary>The CSS class of a data-quality badge (passed, warned, failed, blocked).</summary>
    public static string QualityClass(string outcome) => $"dq-badge dq-{outcome.ToLowerInvariant()}";

    /// <summary>The CSS class of a state badge.</summary>
    public static string StateClass(string state) => $"state-badge state-{state.ToLowerInvariant()}";
}
