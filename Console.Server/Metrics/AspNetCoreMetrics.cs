using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace OpsConsole.Server.Metrics;

/// <summary>
/// ASP.NET Core's request duration and active requests (its <c>Microsoft.AspNetCore.Hosting</c> meter, this host's
/// only) as prometheus-net metrics with the names and labels the dashboards and alerts use:
/// <c>http_server_request_duration_seconds</c> and <c>http_server_active_requests</c>, each tag a label with dots
/// turned into underscores. Only these two instruments are listened to; prometheus-net's own MeterAdapter is not used
/// because it renames series.
/// </summary>
public sealed class AspNetCoreMetrics : IDisposable
{
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private static readonly string[] DurationTags = ["error.type", "http.request.method", "http.response.status_code", "http.route", "network.protocol.version", "url.scheme"];
    private static readonly string[] ActiveTags = ["http.request.method", "url.scheme"];

    private readonly IMeterFactory _meterFactory;
    private readonly Histogram _duration;
    private readonly Gauge _active;
    private readonly MeterListener _listener = new();

    public AspNetCoreMetrics(IMeterFactory meterFactory, ConsoleMetrics metrics)
    {
        _meterFactory = meterFactory;
        _duration = metrics.Factory.CreateHistogram("http_server_request_duration_seconds", "Duration of HTTP server requests.", Labels(DurationTags),
            new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _active = metrics.Factory.CreateGauge("http_server_active_requests", "Number of active HTTP server requests.", Labels(ActiveTags));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Meters from a meter factory belong to one host: only this host's requests are counted here.
            if (instrument.Meter.Name == HostingMeter && instrument.Meter.Scope is IMeterFactory factory && ReferenceEquals(factory, _meterFactory)
                && instrument.Name is "http.server.request.duration" or "http.server.active_requests")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            _duration.WithLabels(Values(DurationTags, tags)).Observe(value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            // The up-down counter reports +1 as a request starts and -1 as it ends.
            var gauge = _active.WithLabels(Values(ActiveTags, tags));
            if (value >= 0)
            {
                gauge.Inc(value);
            }
            else
            {
                gauge.Dec(-value);
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private static string[] Labels(string[] tags) => [.. tags.Select(t => t.Replace('.', '_'))];

    /// <summary>The label values in <paramref name="names"/>' order; a tag the measurement lacks is empty (Prometheus: no label).</summary>
    private static string[] Values(string[] names, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var values = new string[names.Length];
        Array.Fill(values, "");
        foreach (var tag in tags)
        {
            var index = Array.IndexOf(names, tag.Key);
            if (index >= 0)
            {
                values[index] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            }
        }
        return values;
    }
}
