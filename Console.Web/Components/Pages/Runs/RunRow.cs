using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>One line of the runs grid: flat properties the grid sorts and filters on.</summary>
public sealed record RunRow
{
    public required string Id { get; init; }

    /// <summary>The id's random end ("run-20261207-044512-ab12cd" → "ab12cd"): unique enough to tell runs apart on screen.</summary>
    public string ShortId => RunText.ShortId(Id);

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

    /// <summary>The runner that started the job (local, kubernetes), empty before it started.</summary>
    public string Runner { get; init; } = "";

    public bool Active { get; init; }

    public bool Forced { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>For a run waiting for its next attempt: which, and when (empty otherwise).</summary>
    public string Retry { get; init; } = "";

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
        LaunchedBy = RunText.LaunchedBy(run.LaunchedBy),
        Runner = run.Runner ?? "",
        Active = run.State.IsActive(),
        Forced = run.Forced,
        FailureReason = run.FailureReason,
        Retry = RunText.Retry(run),
        Quality = run.Quality ?? "",
    };
}
