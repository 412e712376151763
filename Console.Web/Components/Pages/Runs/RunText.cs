using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>How a run's window and badges read on screen, shared by the list and the run page (numbers and times: <see cref="Format"/>).</summary>
public static partial class RunText
{
    /// <summary>
    /// The run's window in UTC: the one the job planned once it has ("2026-09-21 14:13 → 2026-12-07 05:01, full sync"),
    /// before that what was asked for ("from the checkpoint", "full sync", "2026-09-21 14:13 → now").
    /// </summary>
    public static string Window(RunInfo run)
    {
        if (run.Progress is { PlannedFrom: { } plannedFrom, PlannedTo: { } plannedTo })
        {
            return $"{Format.Time(plannedFrom)} → {Format.Time(plannedTo)}{(run.From is null && run.Mode == "full" ? ", full sync" : "")}";
        }
        return (run.From, run.To) switch
        {
            (null, null) => run.Mode == "full" ? "full sync" : run.State.IsActive() ? "from the checkpoint (planning)" : "from the checkpoint",
            ({ } from, null) => $"{Format.Time(from)} → now",
            (null, { } to) => $"checkpoint → {Format.Time(to)}",
            ({ } from, { } to) => $"{Format.Time(from)} → {Format.Time(to)}",
        };
    }

    /// <summary>A text with its times kept whole on a line: "2026-08-09 08:40" breaks neither at its space nor at its hyphens.</summary>
    public static string KeepTimesWhole(string text) =>
        TimePattern().Replace(text, match => $"{match.Groups[1].Value.Replace('-', '\u2011')}\u00a0{match.Groups[2].Value}").Replace(" → ", "\u00a0→ ", StringComparison.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})")]
    private static partial System.Text.RegularExpressions.Regex TimePattern();

    /// <summary>Who launched a run as the console says it: a user's name, "schedule NAME" or "backfill ID".</summary>
    public static string LaunchedBy(string launchedBy) =>
        Shared.Schedules.ScheduleCallers.ScheduleOf(launchedBy) is { } schedule ? $"schedule {schedule}"
        : Shared.Schedules.BackfillCallers.BackfillOf(launchedBy) is { } backfill ? $"backfill {backfill}"
        : launchedBy;

    /// <summary>A run id's random end ("run-20261207-044512-ab12cd" → "ab12cd"): enough to tell runs apart on screen.</summary>
    public static string ShortId(string id) => id.LastIndexOf('-') is var dash and > 0 && dash < id.Length - 1 ? id[(dash + 1)..] : id;

    /// <summary>The CSS class of a data-quality badge (passed, warned, failed, blocked).</summary>
    public static string QualityClass(string outcome) => $"dq-badge dq-{outcome.ToLowerInvariant()}";

    /// <summary>The CSS class of a state badge.</summary>
    public static string StateClass(string state) => $"state-badge state-{state.ToLowerInvariant()}";

    /// <summary>A run waiting for its next attempt: "retry 2/3 at 14:05:10 UTC"; empty for any other run.</summary>
    public static string Retry(RunInfo run) => run.RetryAt is { } at
        ? $"retry {run.Attempts + 1}/{run.MaxAttempts} at {at.UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC"
        : "";

    /// <summary>A pod's phase as the badge of the run state it resembles (a deleted pod looks cancelled).</summary>
    public static string PodPhaseClass(string phase) => StateClass(phase == "Deleted" ? "Cancelled" : phase);
}
