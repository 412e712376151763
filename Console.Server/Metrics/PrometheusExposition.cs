using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Metrics;

/// <summary>
/// The Prometheus text format (0.0.4) over <see cref="System.Diagnostics.Metrics"/>: a <see cref="MeterListener"/>
/// aggregates the configured meters' measurements (sums for counters, last values for gauges, buckets for
/// histograms) and a scrape renders them. Histogram buckets come from the instrument's advice, else defaults.
/// </summary>
public sealed class PrometheusExposition : IMetricsExposition, IDisposable
{
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 300, 900, 3600];
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly HashSet<string> _meters;
    private readonly IMeterFactory _meterFactory;
    private readonly MetricsOptions _options;
    private readonly ILogger<PrometheusExposition> _logger;
    private readonly SemaphoreSlim _scrape = new(1, 1);

    public PrometheusExposition(IMeterFactory meterFactory, IOptions<MetricsOptions> options, ILogger<PrometheusExposition> logger)
    {
        _meterFactory = meterFactory;
        _options = options.Value;
        _logger = logger;
        _meters = new HashSet<string>(_options.EffectiveMeters, StringComparer.Ordinal);
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<float>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<short>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<byte>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<decimal>((instrument, value, tags, state) => Record(instrument, (double)value, tags, state));
        _listener.Start();
    }

    public string ContentType => "text/plain; version=0.0.4; charset=utf-8";

    public async Task WriteAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        var output = new StringBuilder(16 * 1024);
        await _scrape.WaitAsync(cancellationToken);
        try
        {
            _listener.RecordObservableInstruments();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(output);
            }
        }
        finally
        {
            _scrape.Release();
        }
        await writer.WriteAsync(output, cancellationToken);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _scrape.Dispose();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        // Meters from a meter factory belong to one host; export only this host's (tests run several in one process).
        if (!_meters.Contains(meter.Name) || (meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, _meterFactory)))
        {
            return;
        }

        var isCounter = PrometheusNames.IsCounter(instrument);
        var isHistogram = PrometheusNames.IsHistogram(instrument);
        var kind = isHistogram ? MetricKind.Histogram : isCounter ? MetricKind.Counter : MetricKind.Gauge;
        var name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter, isHistogram);
        var family = _families.GetOrAdd(name, _ => new MetricFamily(
            name, instrument.Description ?? instrument.Name, kind, isHistogram ? BucketsFor(instrument) : [],
            _options.MaxSeriesPerMetric, LogDrop));
        if (family.Kind != kind)
        {
            _logger.LogWarning("Metric {Metric} from {Meter}/{Instrument} clashes with an earlier {Kind}; it is not exported",
                name, meter.Name, instrument.Name, family.Kind);
            return;
        }
        listener.EnableMeasurementEvents(instrument, new InstrumentState(family, IsAbsolute(instrument)));
    }

    private static void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is InstrumentState target)
        {
            target.Family.Record(value, tags, target.Absolute);
        }
    }

    /// <summary>Observable instruments report totals or current values; sync counters report increments.</summary>
    private static bool IsAbsolute(Instrument instrument) =>
        instrument.IsObservable ||
        (instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Gauge<>));

    private static double[] BucketsFor(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            Array.Sort(advised);
            return advised;
        }
        return instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
    }

    private void LogDrop(string metric) =>
        _logger.LogWarning("Metric {Metric} reached {Max} label combinations; further ones are dropped (option Metrics:MaxSeriesPerMetric)",
            metric, _options.MaxSeriesPerMetric);

    private sealed record InstrumentState(MetricFamily Family, bool Absolute);
}
