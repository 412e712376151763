using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>The admin's change of one checkpoint (<see cref="CheckpointChangeViewModel"/>): preview, the stream's name typed, a reason.</summary>
public sealed partial class CheckpointDialog
{
    private CheckpointChangeViewModel? _model;

    [Parameter]
    public CheckpointStatus Status { get; set; } = default!;

    [CascadingParameter]
    private IMudDialogInstance MudDialog { get; set; } = default!;

    [Inject]
    private ICheckpointService Checkpoints { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var model = new CheckpointChangeViewModel(Checkpoints, Status, ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!);
        await model.LoadAsync();
        _model = model;
    }

    private Task ActionChangedAsync(CheckpointAction action)
    {
        _model!.Action = action;
        return _model.PreviewAsync();
    }

    private Task CursorChangedAsync(string? text)
    {
        _model!.Cursor = UtcInput.Parse(text);
        return _model.PreviewAsync();
    }

    private Task VersionChangedAsync(long? version)
    {
        _model!.Version = version;
        return _model.PreviewAsync();
    }

    private async Task SubmitAsync()
    {
        if (await _model!.SubmitAsync() is { } written)
        {
            MudDialog.Close(DialogResult.Ok(written));
        }
    }
}
