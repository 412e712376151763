using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Web.Components.Controls;

namespace OpsConsole.Web.Components.Pages.Schedules;

/// <summary>
/// The Schedules page: every schedule with its last and next fire, the fire history of the one opened, pause, resume
/// and delete; the backfills with their progress, pause, resume and cancel. Kept current while runs that schedules or
/// backfills launched change, and every few seconds for fire times that passed.
/// </summary>
public sealed class SchedulesViewModel(IScheduleService schedules, IBackfillService backfills) : IAsyncDisposable
{
    /// <summary>Heartbeats (one a second) between reloads when no scheduled run changed: fire times that pass show within this.</summary>
    public const int ReloadEvery = 10;

    private readonly BackgroundFollow _follow = new();

    public IReadOnlyList<ScheduleInfo>? Rows { get; private set; }

    /// <summary>The newest backfills, open ones first.</summary>
    public IReadOnlyList<BackfillInfo> Backfills { get; private set; } = [];

    /// <summary>The schedule whose fire history is open.</summary>
    public string? Open { get; private set; }

    public IReadOnlyList<ScheduleFire> Fires { get; private set; } = [];

    public string? Message { get; private set; }

    /// <summary>Why the schedules could not be read or changed; null when they were.</summary>
    public string? Error { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Rows = await schedules.ListAsync(cancellationToken);
            Backfills = [.. (await backfills.ListAsync(20, cancellationToken)).OrderBy(backfill => BackfillStates.IsOpen(backfill.State) ? 0 : 1)];
            if (Open is { } open)
            {
                Fires = Rows.Any(row => row.Name == open) ? await schedules.FiresAsync(open, 50, cancellationToken) : [];
            }
            Error = null;
        }
        catch (IOException exception)
        {
            Rows ??= [];
            Error = $"The schedules could not be read: {exception.Message}";
        }
    }

    public async Task ShowFiresAsync(string name, CancellationToken cancellationToken = default)
    {
        Open = name;
        Fires = await schedules.FiresAsync(name, 50, cancellationToken);
    }

    public async Task SetEnabledAsync(ScheduleInfo row, bool enabled, CallerInfo caller)
    {
        await ChangeAsync(async () => await schedules.SetEnabledAsync(row.Name, enabled, caller),
            enabled ? $"{row.Name} resumed: it fires from now on." : $"{row.Name} paused: no fire time launches until it is resumed.");
    }

    public async Task DeleteAsync(ScheduleInfo row, CallerInfo caller)
    {
        await ChangeAsync(() => schedules.DeleteAsync(row.Name, caller), $"{row.Name} deleted; its runs stay in the runs list.");
        if (Open == row.Name)
        {
            Open = null;
            Fires = [];
        }
    }

    /// <summary>Pauses, resumes or cancels a backfill.</summary>
    public async Task ChangeBackfillAsync(BackfillInfo backfill, string action, CallerInfo caller)
    {
        try
        {
            var changed = await backfills.ChangeAsync(backfill.Id, action, caller);
            Message = $"Backfill {changed.Id} of {changed.Source}/{changed.Stream}: {changed.State}.";
            Error = null;
        }
        catch (Exception exception) when (exception is KeyNotFoundException or UnauthorizedAccessException or IOException or BackfillStateConflictException)
        {
            Error = exception.Message;
        }
        await LoadAsync();
    }

    /// <summary>A backfill was queued in the dialog.</summary>
    public async Task QueuedAsync(BackfillInfo backfill)
    {
        Message = $"Backfill {backfill.Id} queued: {backfill.Pieces.Count} runs of {backfill.Source}/{backfill.Stream}, one after another.";
        await LoadAsync();
    }

    /// <summary>A schedule was created or changed in the dialog: say so, reload and open its history.</summary>
    public async Task SavedAsync(ScheduleInfo saved, bool created)
    {
        Message = $"{saved.Name} {(created ? "created" : "saved")}: {(saved.NextFireAt is { } next ? $"next fire {Format.Time(next)} UTC" : "paused")}.";
        await LoadAsync();
        await ShowFiresAsync(saved.Name);
    }

    /// <summary>Follows the runs: reloads when a run a schedule launched changes, and every <see cref="ReloadEvery"/> heartbeats.</summary>
    public void Start(IRunService runs, Func<Task> changed) => _follow.Start(FollowAsync(runs, changed));

    public ValueTask DisposeAsync() => _follow.DisposeAsync();

    private async Task FollowAsync(IRunService runs, Func<Task> changed)
    {
        var quiet = 0;
        await foreach (var batch in runs.WatchAsync(_follow.Token))
        {
            if (batch.Any(run => ScheduleCallers.ScheduleOf(run.LaunchedBy) is not null || BackfillCallers.BackfillOf(run.LaunchedBy) is not null) || ++quiet >= ReloadEvery)
            {
                quiet = 0;
                await LoadAsync(_follow.Token);
                await changed();
            }
        }
    }

    private async Task ChangeAsync(Func<Task> change, string done)
    {
        try
        {
            await change();
            Message = done;
            Error = null;
        }
        catch (Exception exception) when (exception is KeyNotFoundException or UnauthorizedAccessException or IOException)
        {
            Error = exception.Message;
        }
        await LoadAsync();
    }
}
