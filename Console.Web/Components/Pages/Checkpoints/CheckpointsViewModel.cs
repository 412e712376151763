using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.State;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>The Checkpoints page: every stream's checkpoint, the history of the one opened, and what the last change did.</summary>
public sealed class CheckpointsViewModel(ICheckpointService checkpoints)
{
    public IReadOnlyList<CheckpointStatus>? Rows { get; private set; }

    /// <summary>The stream whose history is open.</summary>
    public CheckpointStatus? History { get; private set; }

    public IReadOnlyList<CheckpointVersion> Versions { get; private set; } = [];

    public string? Message { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default) => Rows = await checkpoints.ListAsync(cancellationToken);

    public async Task ShowHistoryAsync(CheckpointStatus row, CancellationToken cancellationToken = default)
    {
        Versions = await checkpoints.HistoryAsync(row.Source, row.Stream, cancellationToken);
        History = row;
    }

    /// <summary>A change was written: say so, reload the list and show the stream's history with the new version.</summary>
    public async Task ChangedAsync(Checkpoint written, CancellationToken cancellationToken = default)
    {
        Message = $"{written.Source}/{written.Stream} is at version {written.Version}: {CheckpointChangeViewModel.Describe(written.Cursor)}.";
        await LoadAsync(cancellationToken);
        await ShowHistoryAsync(Rows!.First(r => r.Source == written.Source && r.Stream == written.Stream), cancellationToken);
    }
}
