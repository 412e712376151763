using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpsConsole.Server.Metrics;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Runs as metrics on the <c>OpsConsole</c> meter: a batch job is not scraped, so the console turns what it follows
/// (launches, the job's progress lines, outcomes, log lines) into counters, gauges and a histogram.
/// </summary>
internal sealed class RunMetrics : IRunObserver
{
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _records;
    private readonly Counter<long> _pages;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _logLines;
    private readonly Counter<double> _cost;
    private readonly Histogram<double> _runCost;
    private readonly Counter<long> _qualityRuns;
    private readonly Counter<long> _qualityFailures;
    private readonly ConcurrentDictionary<string, (string Source, string Stream)> _active = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public RunMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(ConsoleMetrics.MeterName);
        _started = meter.CreateCounter<long>("opsconsole.runs.started", "{run}", "Runs launched, by source and stream.");
        _finished = meter.CreateCounter<long>("opsconsole.runs.finished", "{run}", "Runs ended, by source, stream and outcome (succeeded, failed, cancelled).");
        _duration = meter.CreateHistogram("opsconsole.run.duration", "s", "How long runs took from start to end, by source, stream and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200] });
        _records = meter.CreateCounter<long>("opsconsole.ingest.records", "{record}", "Records fetched by runs, by source and stream.");
        _pages = meter.CreateCounter<long>("opsconsole.ingest.pages", "{page}", "List pages fetched by runs, by source and stream.");
        _rateLimited = meter.CreateCounter<long>("opsconsole.ingest.rate_limited", "{response}", "429 responses runs received, by source and stream.");
        _retries = meter.CreateCounter<long>("opsconsole.ingest.retries", "{request}", "Requests runs retried, by source and stream.");
        _logLines = meter.CreateCounter<long>("opsconsole.logs.lines", "{line}", "Job log lines the console received, by source and stream.");
        _cost = meter.CreateCounter<double>("opsconsole.cost", "USD", "Estimated cost of ended runs, by source, stream and component (compute, memory, control_plane, storage, requests).");
        _runCost = meter.CreateHistogram<double>("opsconsole.run.cost", "USD", "Estimated cost per ended run, by source and stream.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50] });
        _qualityRuns = meter.CreateCounter<long>("opsconsole.dq.runs", "{run}", "Runs whose data-quality rules were judged, by source, stream and outcome (passed, warned, failed, blocked).");
        _qualityFailures = meter.CreateCounter<long>("opsconsole.dq.rule_failures", "{run}", "Data-quality rule failures, by source, stream and rule.");
        meter.CreateObservableGauge("opsconsole.runs.active", ObserveActive, "{run}", "Runs pending, starting, running or cancelling, by source and stream.");
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
            var tags = new TagList { { "source", source }, { "stream", stream } };
            foreach (var counter in new[] { _started, _records, _pages, _rateLimited, _retries, _logLines })
            {
                counter.Add(0, tags);
            }
            foreach (var outcome in new[] { QualityOutcomes.Passed, QualityOutcomes.Warned, QualityOutcomes.Failed, QualityOutcomes.Blocked })
            {
                _qualityRuns.Add(0, new TagList { { "source", source }, { "stream", stream }, { "outcome", outcome } });
            }
            foreach (var outcome in new[] { "succeeded", "failed", "cancelled" })
            {
                _finished.Add(0, new TagList { { "source", source }, { "stream", stream }, { "outcome", outcome } });
            }
        }
    }

    public void Started(RunInfo run)
    {
        _started.Add(1, Tags(run));
        Track(run);
    }

    /// <summary>A run this console follows (launched, or re-attached after a restart).</summary>
    public void Track(RunInfo run) => _active[run.Id] = (run.Source, run.Stream);

    public void Finished(RunInfo run, DateTimeOffset now)
    {
        _active.TryRemove(run.Id, out _);
        var outcome = new KeyValuePair<string, object?>("outcome", run.State.ToString().ToLowerInvariant());
        _finished.Add(1, Tags(run, outcome));
        if (run.Duration(now) is { } took)
        {
            _duration.Record(took.TotalSeconds, Tags(run, outcome));
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
            _cost.Add(value, Tags(run, new KeyValuePair<string, object?>("component", component)));
        }
        _runCost.Record(cost.Total, Tags(run));
    }

    /// <summary>A run's data-quality outcome and the rules that failed in it.</summary>
    public void Quality(RunInfo run, string outcome, IEnumerable<string> failedRules)
    {
        _qualityRuns.Add(1, Tags(run, new KeyValuePair<string, object?>("outcome", outcome)));
        foreach (var rule in failedRules)
        {
            _qualityFailures.Add(1, Tags(run, new KeyValuePair<string, object?>("rule", rule)));
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

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        var counts = Streams.ToDictionary(s => s, _ => 0L);
        foreach (var stream in _active.Values)
        {
            counts[stream] = counts.GetValueOrDefault(stream) + 1;
        }
        return counts.Select(c => new Measurement<long>(c.Value,
            new KeyValuePair<string, object?>("source", c.Key.Source), new KeyValuePair<string, object?>("stream", c.Key.Stream)));
    }

    private static void Add(Counter<long> counter, long delta, RunInfo run)
    {
        if (delta > 0)
        {
            counter.Add(delta, Tags(run));
        }
    }

    private static TagList Tags(RunInfo run, KeyValuePair<string, object?>? extra = null)
    {
        var tags = new TagList { { "source", run.Source }, { "stream", run.Stream } };
        if (extra is { } tag)
        {
            tags.Add(tag);
        }
        return tags;
    }
}
