using System.Collections.Concurrent;
using OpsConsole.Server.Metrics;
using Prometheus;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Runs as metrics in the console's registry: a batch job is not scraped, so the console turns what it follows
/// (launches, the job's progress lines, outcomes, log lines) into counters, gauges and histograms.
/// </summary>
internal sealed class RunMetrics : IRunObserver
{
    private readonly Counter _started;
    private readonly Counter _finished;
    private readonly Histogram _duration;
    private readonly Counter _records;
    private readonly Counter _pages;
    private readonly Counter _rateLimited;
    private readonly Counter _retries;
    private readonly Counter _logLines;
    private readonly Counter _cost;
    private readonly Histogram _runCost;
    private readonly Counter _qualityRuns;
    private readonly Counter _qualityFailures;
    private readonly Gauge _activeRuns;
    private readonly ConcurrentDictionary<string, (string Source, string Stream)> _active = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public RunMetrics(ConsoleMetrics metrics, TimeProvider time)
    {
        _time = time;
        var factory = metrics.Factory;
        string[] stream = ["source", "stream"], outcome = ["outcome", "source", "stream"];
        _started = factory.CreateCounter("opsconsole_runs_started_total", "Runs launched, by source and stream.", stream);
        _finished = factory.CreateCounter("opsconsole_runs_finished_total", "Runs ended, by source, stream and outcome (succeeded, failed, cancelled).", outcome);
        _duration = factory.CreateHistogram("opsconsole_run_duration_seconds", "How long runs took from start to end, by source, stream and outcome.", outcome,
            new HistogramConfiguration { Buckets = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200] });
        _records = factory.CreateCounter("opsconsole_ingest_records_total", "Records fetched by runs, by source and stream.", stream);
        _pages = factory.CreateCounter("opsconsole_ingest_pages_total", "List pages fetched by runs, by source and stream.", stream);
        _rateLimited = factory.CreateCounter("opsconsole_ingest_rate_limited_total", "429 responses runs received, by source and stream.", stream);
        _retries = factory.CreateCounter("opsconsole_ingest_retries_total", "Requests runs retried, by source and stream.", stream);
        _logLines = factory.CreateCounter("opsconsole_logs_lines_total", "Job log lines the console received, by source and stream.", stream);
        _cost = factory.CreateCounter("opsconsole_cost_usd_total",
            "Estimated cost of ended runs in USD, by source, stream and component (compute, memory, control_plane, storage, requests).", ["component", "source", "stream"]);
        _runCost = factory.CreateHistogram("opsconsole_run_cost_usd", "Estimated cost per ended run in USD, by source and stream.", stream,
            new HistogramConfiguration { Buckets = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50] });
        _qualityRuns = factory.CreateCounter("opsconsole_dq_runs_total",
            "Runs whose data-quality rules were judged, by source, stream and outcome (passed, warned, failed, blocked).", outcome);
        _qualityFailures = factory.CreateCounter("opsconsole_dq_rule_failures_total", "Data-quality rule failures, by source, stream and rule.", ["rule", "source", "stream"]);
        _activeRuns = factory.CreateGauge("opsconsole_runs_active", "Runs pending, starting, running or cancelling, by source and stream.", stream);
        metrics.Registry.AddBeforeCollectCallback(ObserveActive);
    }

    /// <summary>Every stream's series exists from the start (0), so rates and alerts see it before its first run.</summary>
    public static IReadOnlyList<(string Source, string Stream)> Streams { get; } = [.. StreamCatalog.All.Select(s => (s.Source, s.Name))];

    /// <summary>
    /// Gives every stream's counters a 0 series before its first run, so <c>rate()</c> and alerts see the stream from
    /// the start instead of a missing series. Called once the metrics listener runs.
    /// </summary>
    public void SeedStreams()
    {
        foreach (var (source, stream) in Streams)
        {
            foreach (var counter in new[] { _started, _records, _pages, _rateLimited, _retries, _logLines })
            {
                counter.WithLabels(source, stream).Inc(0);
            }
            foreach (var outcome in new[] { QualityOutcomes.Passed, QualityOutcomes.Warned, QualityOutcomes.Failed, QualityOutcomes.Blocked })
            {
                _qualityRuns.WithLabels(outcome, source, stream).Inc(0);
            }
            foreach (var outcome in new[] { "succeeded", "failed", "cancelled" })
            {
                _finished.WithLabels(outcome, source, stream).Inc(0);
            }
        }
    }

    public void Started(RunInfo run)
    {
        _started.WithLabels(run.Source, run.Stream).Inc();
        Track(run);
    }

    /// <summary>A run this console follows (launched, or re-attached after a restart).</summary>
    public void Track(RunInfo run) => _active[run.Id] = (run.Source, run.Stream);

    public void Finished(RunInfo run, DateTimeOffset now)
    {
        _active.TryRemove(run.Id, out _);
        var outcome = run.State.ToString().ToLowerInvariant();
        _finished.WithLabels(outcome, run.Source, run.Stream).Inc();
        if (run.Duration(now) is { } took)
        {
            _duration.WithLabels(outcome, run.Source, run.Stream).Observe(took.TotalSeconds);
        }
    }

    /// <summary>What a progress line added since the previous one (the job reports running totals).</summary>
    public void Progress(RunInfo run, RunProgress before, RunProgress after)
    {
        Add(_records, after.Records - before.Records, run);
        Add(_pages, after.Pages - before.Pages, run);
        Add(_rateLimited, after.RateLimited - before.RateLimited, run);
        Add(_retries, after.Retries - before.Retries, run);
    }

    public void LogLines(RunInfo run, int count) => Add(_logLines, count, run);

    /// <summary>An ended run's cost, by component, and as one observation of the cost per run.</summary>
    public void Cost(RunInfo run, Shared.Costs.RunCost cost)
    {
        foreach (var (component, value) in new[]
                 { ("compute", cost.Compute), ("memory", cost.Memory), ("control_plane", cost.ControlPlane), ("storage", cost.Storage), ("requests", cost.Requests) })
        {
            _cost.WithLabels(component, run.Source, run.Stream).Inc(value);
        }
        _runCost.WithLabels(run.Source, run.Stream).Observe(cost.Total);
    }

    /// <summary>A run's data-quality outcome and the rules that failed in it.</summary>
    public void Quality(RunInfo run, string outcome, IEnumerable<string> failedRules)
    {
        _qualityRuns.WithLabels(outcome, run.Source, run.Stream).Inc();
        foreach (var rule in failedRules)
        {
            _qualityFailures.WithLabels(rule, run.Source, run.Stream).Inc();
        }
    }

    Task IRunObserver.RunLaunchedAsync(RunInfo run, CancellationToken cancellationToken)
    {
        Started(run);
        return Task.CompletedTask;
    }

    Task IRunObserver.QualityReportedAsync(RunInfo run, string outcome, IReadOnlyList<string> failedRules, CancellationToken cancellationToken)
    {
        Quality(run, outcome, failedRules);
        return Task.CompletedTask;
    }

    Task IRunObserver.RunFinishedAsync(RunInfo run, bool announced, CancellationToken cancellationToken)
    {
        Finished(run, _time.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <summary>Before each scrape: every stream's active runs (0 for a stream with none).</summary>
    private void ObserveActive()
    {
        var counts = Streams.ToDictionary(s => s, _ => 0);
        foreach (var stream in _active.Values)
        {
            counts[stream] = counts.GetValueOrDefault(stream) + 1;
        }
        foreach (var ((source, stream), count) in counts)
        {
            _activeRuns.WithLabels(source, stream).Set(count);
        }
    }

    private static void Add(Counter counter, long delta, RunInfo run)
    {
        if (delta > 0)
        {
            counter.WithLabels(run.Source, run.Stream).Inc(delta);
        }
    }
}
