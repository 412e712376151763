namespace OpsConsole.Server.Metrics;

internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}
