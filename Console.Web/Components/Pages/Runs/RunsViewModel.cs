using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// The runs list, kept current by the run service's change events. Changes only mark the model dirty; the page renders
/// at the <see cref="LiveRender"/> pace, so a burst of progress reports costs one render.
/// </summary>
public sealed class RunsViewModel(IRunService runs, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, RunInfo> _runs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _dirty;

    public IReadOnlyList<RunRow> Rows { get; private set; } = [];

    public DateTimeOffset? UpdatedAt { get; private set; }

    public bool Subscribed { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        runs.Changed += OnChanged;
        Subscribed = true;
        var list = await runs.ListAsync(cancellationToken: cancellationToken);
        lock (_lock)
        {
            foreach (var run in list)
            {
                // A change that arrived while the list was loading is newer than the list.
                _runs.TryAdd(run.Id, run);
            }
        }
        Refresh(force: true);
    }

    /// <summary>Rebuilds the rows when something changed (or an active run's duration moved on); true when it did.</summary>
    public bool Refresh(bool force = false)
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0 && !force)
        {
            return false;
        }
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Rows = [.. _runs.Values.OrderByDescending(run => run.CreatedAt).ThenByDescending(run => run.Id).Select(run => RunRow.From(run, now))];
        }
        UpdatedAt = now;
        return true;
    }

    public bool AnyActive => Rows.Any(row => row.Active);

    public void Dispose()
    {
        runs.Changed -= OnChanged;
        Subscribed = false;
    }

    private void OnChanged(RunInfo run)
    {
        lock (_lock)
        {
            _runs[run.Id] = run;
        }
        Interlocked.Exchange(ref _dirty, 1);
    }
}
