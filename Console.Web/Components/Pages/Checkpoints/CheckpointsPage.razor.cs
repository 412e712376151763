using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Checkpoints;
using Radzen;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>Every stream's checkpoint with its history; admins change one through <see cref="CheckpointDialog"/>.</summary>
public sealed partial class CheckpointsPage
{
    [Inject]
    private ICheckpointService Checkpoints { get; set; } = default!;

    [Inject]
    private DialogService Dialogs { get; set; } = default!;

    private CheckpointsViewModel Model { get; set; } = default!;

    protected override Task OnInitializedAsync()
    {
        Model = new CheckpointsViewModel(Checkpoints);
        return Model.LoadAsync();
    }

    private async Task ChangeAsync(CheckpointStatus row)
    {
        var result = await Dialogs.OpenAsync<CheckpointDialog>($"Change the checkpoint of {row.Source}/{row.Stream}",
            new Dictionary<string, object?> { ["Status"] = row }, new DialogOptions { Width = "640px", CloseDialogOnEsc = true });
        if (result is Shared.State.Checkpoint written)
        {
            await Model.ChangedAsync(written);
        }
    }
}
