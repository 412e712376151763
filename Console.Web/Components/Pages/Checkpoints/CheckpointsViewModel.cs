using OpsConsole.Web.Components.Controls;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>
/// The Checkpoints page: every stream's checkpoint, the history of the one opened, and what the last change did; kept
/// current by the runs' changes (a run that starts holds its stream, a run that ends moves the cursor).
/// </summary>
public sealed class CheckpointsViewModel(ICheckpointService checkpoints) : IAsyncDisposable
{
    private readonly BackgroundFollow _follow = new();

    public IReadOnlyList<CheckpointStatus>? Rows { get; private set; }

    /// <summary>The stream whose history is open.</summary>
    public CheckpointStatus? History { get; private set; }

    public IReadOnlyList<CheckpointVersion> Versions { get; private set; } = [];

    public string? Message { get; private set; }

    /// <summary>Why the checkpoints could not be read; null when they were.</summary>
    public string? LoadError { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Rows = await checkpoints.ListAsync(cancellationToken);
            LoadError = null;
        }
        catch (IOException exception)
        {
            Rows ??= [];
            LoadError = $"The checkpoints could not be read: {exception.Message}";
        }
    }

    /// <summary>Follows the runs: reloads and calls <paramref name="changed"/> when a run starts or ends on a stream.</summary>
    public void Start(IRunService runs, Func<Task> changed) => _follow.Start(FollowAsync(runs, changed));

    /// <summary>Whether a batch changes what the rows show: a run that holds a stream, or ended, unlike the row says.</summary>
    public bool Moves(IReadOnlyList<RunInfo> batch) => Rows is { } rows && batch.Any(run =>
        rows.FirstOrDefault(row => row.Source == run.Source && row.Stream == run.Stream) is { } row
        && (run.State.IsActive()
            ? row.ActiveRunId != run.Id
            : row.ActiveRunId == run.Id || row.LastRunId != run.Id || row.LastRunState != run.State.ToString()));

    public ValueTask DisposeAsync() => _follow.DisposeAsync();

    private async Task FollowAsync(IRunService runs, Func<Task> changed)
    {
        await foreach (var batch in runs.WatchAsync(_follow.Token))
        {
            if (Moves(batch))
            {
                await LoadAsync(_follow.Token);
                if (History is { } open && Rows!.FirstOrDefault(r => r.Source == open.Source && r.Stream == open.Stream) is { } row && row.Version != open.Version)
                {
                    await ShowHistoryAsync(row, _follow.Token);
                }
                await changed();
            }
        }
    }

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
