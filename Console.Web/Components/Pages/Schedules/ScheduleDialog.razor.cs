using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Schedules;

namespace OpsConsole.Web.Components.Pages.Schedules;

/// <summary>Creates a schedule, or changes <see cref="Existing"/> (<see cref="ScheduleEditViewModel"/>); closes with the saved schedule.</summary>
public sealed partial class ScheduleDialog
{
    private ScheduleEditViewModel? _model;

    /// <summary>The schedule to change; null to create one.</summary>
    [Parameter]
    public ScheduleInfo? Existing { get; set; }

    [CascadingParameter]
    private IMudDialogInstance MudDialog { get; set; } = default!;

    [Inject]
    private IScheduleService Schedules { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync() =>
        _model = new ScheduleEditViewModel(Schedules, ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!, Existing);

    private void CronChanged(string? cron)
    {
        _model!.Cron = cron;
        _model.UpdatePreview();
    }

    private void ZoneChanged(string? zone)
    {
        _model!.TimeZone = zone;
        _model.UpdatePreview();
    }

    private static Task<IEnumerable<string>> SearchZones(string? text, CancellationToken cancellationToken) =>
        Task.FromResult(string.IsNullOrWhiteSpace(text)
            ? ScheduleEditViewModel.Zones.Take(12)
            : ScheduleEditViewModel.Zones.Where(zone => zone.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)));

    private async Task SubmitAsync()
    {
        if (await _model!.SubmitAsync() is { } saved)
        {
            MudDialog.Close(DialogResult.Ok(saved));
        }
    }
}
