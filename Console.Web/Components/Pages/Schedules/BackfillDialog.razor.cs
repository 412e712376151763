using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Schedules;

namespace OpsConsole.Web.Components.Pages.Schedules;

/// <summary>Queues a backfill (<see cref="BackfillEditViewModel"/>); closes with it.</summary>
public sealed partial class BackfillDialog
{
    private BackfillEditViewModel? _model;

    [CascadingParameter]
    private IMudDialogInstance MudDialog { get; set; } = default!;

    [Inject]
    private IBackfillService Backfills { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync() =>
        _model = new BackfillEditViewModel(Backfills, ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!, Time.GetUtcNow());

    private async Task SubmitAsync()
    {
        if (await _model!.SubmitAsync() is { } queued)
        {
            MudDialog.Close(DialogResult.Ok(queued));
        }
    }
}
