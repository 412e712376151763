using OpsConsole.Web.Components.Controls;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// The runs list as pages the store sorts and filters (<see cref="IRunService.QueryAsync"/>), kept current by the run
/// service's batches of changes (<see cref="IRunService.WatchAsync"/>): a change asks the grid to load its page again,
/// at most once a second however many changes come. Dispose it to stop following.
/// </summary>
public sealed class RunsViewModel(IRunService runs, TimeProvider time) : IAsyncDisposable
{
    /// <summary>The least time between two reloads of the page on changes.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(1);

    private readonly BackgroundFollow _follow = new();
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private bool _stale;

    /// <summary>The rows of the page last loaded.</summary>
    public IReadOnlyList<RunRow> Rows { get; private set; } = [];

    /// <summary>How many runs match the filters in all.</summary>
    public int Total { get; private set; }

    /// <summary>Whether a page has been loaded (false: still loading the first).</summary>
    public bool Loaded { get; private set; }

    /// <summary>Why the last page could not be loaded; null when it was.</summary>
    public string? Error { get; private set; }

    public DateTimeOffset? UpdatedAt { get; private set; }

    /// <summary>Only runs in this state ("Running"); null: any.</summary>
    public string? State { get; set; }

    /// <summary>Only runs of this stream; null: any.</summary>
    public string? Stream { get; set; }

    /// <summary>Runs whose launcher's name contains this.</summary>
    public string? LaunchedBy { get; set; }

    /// <summary>Runs whose id contains this.</summary>
    public string? IdContains { get; set; }

    public bool Filtered => State is not null || Stream is not null || !string.IsNullOrWhiteSpace(LaunchedBy) || !string.IsNullOrWhiteSpace(IdContains);

    public bool AnyActive => Rows.Any(row => row.Active);

    /// <summary>Whether the Runner column is worth its room: some run went through another runner than the local one.</summary>
    public bool ShowRunner => runs.LaunchDefaults.Runner != "local" || Rows.Any(row => row.Runner is not ("" or "local"));

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The grid's column (a <see cref="RunRow"/> property) as the store's sort field; null when it cannot sort by it.</summary>
    public static string? SortField(string? property) => property switch
    {
        nameof(RunRow.Id) => RunFields.Id,
        nameof(RunRow.State) => RunFields.State,
        nameof(RunRow.Stream) => RunFields.Stream,
        nameof(RunRow.Started) => RunFields.Started,
        nameof(RunRow.DurationSeconds) => RunFields.Duration,
        nameof(RunRow.Records) => RunFields.Records,
        nameof(RunRow.RecordsPerSecond) => RunFields.RecordsPerSecond,
        nameof(RunRow.LaunchedBy) => RunFields.LaunchedBy,
        nameof(RunRow.Runner) => RunFields.Runner,
        _ => null,
    };

    /// <summary>The query for one page: the filters set here, sorted by the grid's column (newest first without one).</summary>
    public RunQuery Query(int page, int pageSize, string? sortBy, bool descending)
    {
        var filters = new List<RunFilter>();
        if (State is not null)
        {
            filters.Add(new RunFilter(RunFields.State, RunFilterOperators.Equal, State));
        }
        if (Stream is not null)
        {
            filters.Add(new RunFilter(RunFields.Stream, RunFilterOperators.Equal, Stream));
        }
        if (!string.IsNullOrWhiteSpace(LaunchedBy))
        {
            filters.Add(new RunFilter(RunFields.LaunchedBy, RunFilterOperators.Contains, LaunchedBy.Trim()));
        }
        if (!string.IsNullOrWhiteSpace(IdContains))
        {
            filters.Add(new RunFilter(RunFields.Id, RunFilterOperators.Contains, IdContains.Trim()));
        }
        var field = SortField(sortBy);
        return new RunQuery
        {
            Offset = page * pageSize,
            Limit = Math.Clamp(pageSize, 1, RunQuery.MaxLimit),
            SortBy = field ?? RunFields.Created,
            Descending = field is null || descending,
            Filters = filters,
        };
    }

    /// <summary>Loads one page; on failure keeps the rows shown and says why in <see cref="Error"/>.</summary>
    public async Task LoadAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        try
        {
            var page = await runs.QueryAsync(query, cancellationToken);
            var now = time.GetUtcNow();
            Rows = [.. page.Runs.Select(run => RunRow.From(run, now))];
            Total = page.Total;
            UpdatedAt = now;
            Error = null;
        }
        catch (Exception exception) when (exception is InvalidFieldException or IOException or InvalidOperationException or TimeoutException)
        {
            Error = $"The runs could not be loaded: {exception.Message}";
        }
        finally
        {
            Loaded = true;
            _loadedAt = time.GetUtcNow();
            _stale = false;
        }
    }

    /// <summary>
    /// Follows the runs' changes in the background: <paramref name="reload"/> when the page may show something else
    /// (any run changed), <paramref name="tick"/> when only clocks moved ("3 min ago", an active run's duration).
    /// </summary>
    public void Start(Func<Task> reload, Func<Task> tick)
    {
        var batches = runs.WatchAsync(_follow.Token).GetAsyncEnumerator(_follow.Token);
        _follow.Start(FollowAsync(batches, batches.MoveNextAsync(), reload, tick));
    }

    /// <summary>What a batch asks of the page: reload, re-render (clocks), or nothing.</summary>
    public BatchEffect Apply(IReadOnlyList<RunInfo> batch)
    {
        _stale |= batch.Count > 0;
        if (_stale && time.GetUtcNow() - _loadedAt >= ReloadInterval)
        {
            return BatchEffect.Reload;
        }
        return AnyActive || batch.Count == 0 ? BatchEffect.Render : BatchEffect.None;
    }

    public ValueTask DisposeAsync() => _follow.DisposeAsync();

    private async Task FollowAsync(IAsyncEnumerator<IReadOnlyList<RunInfo>> batches, ValueTask<bool> next, Func<Task> reload, Func<Task> tick)
    {
        await using (batches)
        {
            while (await next)
            {
                switch (Apply(batches.Current))
                {
                    case BatchEffect.Reload:
                        await reload();
                        break;
                    case BatchEffect.Render:
                        await tick();
                        break;
                }
                next = batches.MoveNextAsync();
            }
        }
    }
}

/// <summary>What a batch of run changes asks of the runs page.</summary>
public enum BatchEffect
{
    None,
    Render,
    Reload,
}
