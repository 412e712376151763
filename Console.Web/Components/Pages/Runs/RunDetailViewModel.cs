using OpsConsole.Web.Components.Controls;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// One run, live: the run as it changes (batches from <see cref="IRunService.WatchAsync"/>, at most ten renders a
/// second, one a second while it is active so its clock moves), its throughput points, its data-quality report.
/// </summary>
public sealed class RunDetailViewModel(string id, IRunService runs, IQualityService quality) : IAsyncDisposable
{
    public const int MaxChartPoints = 600;

    private readonly BackgroundFollow _follow = new();

    public RunInfo? Run { get; private set; }

    public IReadOnlyList<ThroughputPoint> Points { get; private set; } = [];

    public QualityReport? Quality { get; private set; }

    /// <summary>The run's attempts, first first; reloaded when an attempt starts or ends.</summary>
    public IReadOnlyList<RunAttempt> Attempts { get; private set; } = [];

    public bool Loaded { get; private set; }

    /// <summary>Loads the run, its throughput and report, then follows it, calling <paramref name="changed"/> after each change that shows.</summary>
    public async Task StartAsync(Func<Task> changed, CancellationToken cancellationToken = default)
    {
        var batches = runs.WatchAsync(_follow.Token).GetAsyncEnumerator(_follow.Token);
        var next = batches.MoveNextAsync();
        Run = await runs.GetAsync(id, cancellationToken);
        Points = [.. (await runs.ThroughputAsync(id, cancellationToken)).TakeLast(MaxChartPoints)];
        Quality = Run?.Quality is null ? null : await quality.ReportAsync(id, cancellationToken);
        Attempts = Run is null ? [] : await runs.AttemptsAsync(id, cancellationToken);
        Loaded = true;
        _follow.Start(Run is null ? StopFollowingAsync(batches, next) : FollowAsync(batches, next, changed));
    }

    /// <summary>Applies one batch; true when the page should render.</summary>
    public async Task<bool> ApplyAsync(IReadOnlyList<RunInfo> batch, CancellationToken cancellationToken = default)
    {
        var latest = batch.LastOrDefault(run => run.Id == id);
        if (latest is null)
        {
            return batch.Count == 0 && Run?.State.IsActive() == true;
        }
        AddPoint(latest);
        if (latest.Quality is not null && latest.Quality != Run?.Quality)
        {
            Quality = await quality.ReportAsync(id, cancellationToken);
        }
        if (latest.Attempts != Run?.Attempts || latest.RetryAt != Run?.RetryAt || latest.State.IsActive() != Run?.State.IsActive())
        {
            Attempts = await runs.AttemptsAsync(id, cancellationToken);
        }
        Run = latest;
        return true;
    }

    /// <summary>The run as a cancel returned it (the next batch brings it too).</summary>
    public void Replace(RunInfo? run) => Run = run ?? Run;

    public ValueTask DisposeAsync() => _follow.DisposeAsync();

    /// <summary>No such run: stops the watch (an enumerator with a read in flight cannot be disposed before it ends).</summary>
    private async Task StopFollowingAsync(IAsyncEnumerator<IReadOnlyList<RunInfo>> batches, ValueTask<bool> next)
    {
        await _follow.StopAsync();
        try
        {
            await next;
        }
        catch (OperationCanceledException)
        {
        }
        await batches.DisposeAsync();
    }

    private async Task FollowAsync(IAsyncEnumerator<IReadOnlyList<RunInfo>> batches, ValueTask<bool> next, Func<Task> changed)
    {
        await using (batches)
        {
            while (await next)
            {
                if (await ApplyAsync(batches.Current, _follow.Token))
                {
                    await changed();
                }
                next = batches.MoveNextAsync();
            }
        }
    }

    private void AddPoint(RunInfo run)
    {
        if (run.Progress.UpdatedAt is not { } at || (Points.Count > 0 && Points[^1].At >= at) || !run.State.IsActive())
        {
            return;
        }
        var points = new List<ThroughputPoint>(Points.Count + 1);
        points.AddRange(Points.Count >= MaxChartPoints ? Points.Skip(1) : Points);
        points.Add(new ThroughputPoint(at, run.Progress.Records, run.Progress.RecordsPerSecond));
        Points = points;
    }
}
