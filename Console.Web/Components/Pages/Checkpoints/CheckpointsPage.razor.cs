using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>Every stream's checkpoint with its history, live; admins change one through <see cref="CheckpointDialog"/>.</summary>
public sealed partial class CheckpointsPage : IAsyncDisposable
{
    [Inject]
    private ICheckpointService Checkpoints { get; set; } = default!;

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private CheckpointsViewModel Model { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        Model = new CheckpointsViewModel(Checkpoints);
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

    private async Task ChangeAsync(CheckpointStatus row)
    {
        var dialog = await Dialogs.ShowAsync<CheckpointDialog>($"Change the checkpoint of {row.Source}/{row.Stream}",
            new DialogParameters<CheckpointDialog> { { d => d.Status, row } }, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: Shared.State.Checkpoint written })
        {
            await Model.ChangedAsync(written);
            Snackbar.Add(Model.Message!, Severity.Success);
        }
    }
}
