using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;

namespace OpsConsole.Web.Components.Pages.Schedules;

/// <summary>Every schedule with its last and next fire; operators create, change, pause and delete them.</summary>
public sealed partial class SchedulesPage : IAsyncDisposable
{
    [Inject]
    private IScheduleService Schedules { get; set; } = default!;

    [Inject]
    private IBackfillService Backfills { get; set; } = default!;

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private SchedulesViewModel Model { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        Model = new SchedulesViewModel(Schedules, Backfills);
        await Model.LoadAsync();
        Model.Start(Runs, () => InvokeAsync(StateHasChanged));
    }

    public async ValueTask DisposeAsync()
    {
        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
    }

    /// <summary>The policies in a few words: overlap, catch-up, jitter.</summary>
    public static string Describe(ScheduleInfo row) =>
        $"{row.Overlap switch { OverlapPolicies.Queue => "waits for a busy stream", OverlapPolicies.Cancel => "cancels a busy stream's run", _ => "skips a busy stream" }}; "
        + $"{row.CatchUp switch { CatchUpPolicies.None => "no catch-up", CatchUpPolicies.All => $"catches up to {row.CatchUpLimit}", _ => "catches up the latest" }}"
        + (row.JitterSeconds > 0 ? $"; jitter {row.JitterSeconds} s" : "")
        + (row.Retries > 0 ? $"; {(row.Retries == 1 ? "1 retry" : $"{row.Retries} retries")} from {row.RetryBackoffSeconds} s" : "");

    /// <summary>A fire's outcome in the runs' badge colours.</summary>
    public static string OutcomeClass(string outcome) => outcome switch
    {
        FireOutcomes.Launched => "state-badge state-succeeded",
        FireOutcomes.Failed or FireOutcomes.Missed => "state-badge state-failed",
        FireOutcomes.Skipped => "state-badge state-cancelled",
        _ => "state-badge state-pending",
    };

    /// <summary>A backfill's state in the runs' badge colours.</summary>
    public static string BackfillClass(string state) => state switch
    {
        BackfillStates.Succeeded => "state-badge state-succeeded",
        BackfillStates.Failed => "state-badge state-failed",
        BackfillStates.Cancelled or BackfillStates.Paused => "state-badge state-cancelled",
        _ => "state-badge state-running",
    };

    private async Task BackfillAsync()
    {
        var dialog = await Dialogs.ShowAsync<BackfillDialog>("New backfill", new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: BackfillInfo queued })
        {
            await Model.QueuedAsync(queued);
            Snackbar.Add(Model.Message!, Severity.Success);
        }
    }

    private async Task ChangeBackfillAsync(BackfillInfo backfill, string action) => await Model.ChangeBackfillAsync(backfill, action, await CallerAsync());

    private async Task<CallerInfo> CallerAsync() => ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!;

    private async Task EditAsync(ScheduleInfo? row)
    {
        var dialog = await Dialogs.ShowAsync<ScheduleDialog>(row is null ? "New schedule" : $"Change {row.Name}",
            new DialogParameters<ScheduleDialog> { { d => d.Existing, row } }, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: ScheduleInfo saved })
        {
            await Model.SavedAsync(saved, created: row is null);
            Snackbar.Add(Model.Message!, Severity.Success);
        }
    }

    private async Task SetEnabledAsync(ScheduleInfo row, bool enabled) => await Model.SetEnabledAsync(row, enabled, await CallerAsync());

    private async Task DeleteAsync(ScheduleInfo row)
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete schedule", $"Delete {row.Name}? Its fire history goes with it (the audit log keeps its definition); its runs stay.",
                yesText: "Delete", cancelText: "Keep it") == true)
        {
            await Model.DeleteAsync(row, await CallerAsync());
        }
    }
}
