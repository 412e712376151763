using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// The runs list, kept current by the run service's batches of changes (<see cref="IRunService.WatchAsync"/>): one
/// rebuild and one render per batch, at most ten a second however many changes come, and one a second while runs
/// are active so their durations move on. Dispose it to stop following.
/// </summary>
public sealed class RunsViewModel(IRunService runs, TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<string, RunInfo> _runs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _following = Task.CompletedTask;

    public IReadOnlyList<RunRow> Rows { get; private set; } = [];

    public DateTimeOffset? UpdatedAt { get; private set; }

    public bool AnyActive => Rows.Any(row => row.Active);

    /// <summary>Whether the Runner column is worth its room: some run went through another runner than the local one.</summary>
    public bool ShowRunner => runs.LaunchDefaults.Runner != "local" || Rows.Any(row => row.Runner is not ("" or "local"));

    /// <summary>Loads the runs, then follows their changes in the background, calling <paramref name="changed"/> after each one that shows.</summary>
    public async Task StartAsync(Func<Task> changed, CancellationToken cancellationToken = default)
    {
        // Watching starts before the list is read, so a change in between is not missed (it is newer than the list).
        var batches = runs.WatchAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
        var next = batches.MoveNextAsync();
        foreach (var run in await runs.ListAsync(cancellationToken: cancellationToken))
        {
            _runs.TryAdd(run.Id, run);
        }
        Rebuild();
        _following = FollowAsync(batches, next, changed);
    }

    /// <summary>Applies one batch; true when the rows changed (an empty batch: when active runs' clocks moved).</summary>
    public bool Apply(IReadOnlyList<RunInfo> batch)
    {
        if (batch.Count == 0 && !AnyActive)
        {
            return false;
        }
        foreach (var run in batch)
        {
            _runs[run.Id] = run;
        }
        Rebuild();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _following;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task FollowAsync(IAsyncEnumerator<IReadOnlyList<RunInfo>> batches, ValueTask<bool> next, Func<Task> changed)
    {
        await using (batches)
        {
            while (await next)
            {
                if (Apply(batches.Current))
                {
                    await changed();
                }
                next = batches.MoveNextAsync();
            }
        }
    }

    private void Rebuild()
    {
        var now = time.GetUtcNow();
        Rows = [.. _runs.Values.OrderByDescending(run => run.CreatedAt).ThenByDescending(run => run.Id).Select(run => RunRow.From(run, now))];
        UpdatedAt = now;
    }
}
