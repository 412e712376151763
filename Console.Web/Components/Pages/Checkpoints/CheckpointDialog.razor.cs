using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using Radzen;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>The admin's change of one checkpoint (<see cref="CheckpointChangeViewModel"/>): preview, the stream's name typed, a reason.</summary>
public sealed partial class CheckpointDialog
{
    private CheckpointChangeViewModel? _model;

    [Parameter]
    public CheckpointStatus Status { get; set; } = default!;

    [Inject]
    private ICheckpointService Checkpoints { get; set; } = default!;

    [Inject]
    private DialogService Dialogs { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var model = new CheckpointChangeViewModel(Checkpoints, Status, ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!);
        await model.LoadAsync();
        _model = model;
    }

    private Task PreviewAsync() => _model!.PreviewAsync();

    private async Task SubmitAsync()
    {
        if (await _model!.SubmitAsync() is { } written)
        {
            Dialogs.Close(written);
        }
    }
}
