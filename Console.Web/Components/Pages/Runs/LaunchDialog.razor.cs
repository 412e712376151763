using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>The launch form (<see cref="LaunchViewModel"/>): every field validated by the service, its error under the field.</summary>
public sealed partial class LaunchDialog
{
    private LaunchViewModel? _model;

    [CascadingParameter]
    private IMudDialogInstance MudDialog { get; set; } = default!;

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        _model = new LaunchViewModel(Runs, ConsoleIdentity.Caller(user, "cookie")!);
    }

    private async Task LaunchAsync()
    {
        if (await _model!.LaunchAsync() is { } run)
        {
            MudDialog.Close(DialogResult.Ok(run));
        }
    }
}
