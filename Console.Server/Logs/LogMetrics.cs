using OpsConsole.Server.Metrics;
using Prometheus;

namespace OpsConsole.Server.Logs;

/// <summary>The live log hub as a metric: open viewer connections.</summary>
public sealed class LogMetrics(ConsoleMetrics metrics)
{
    private readonly Gauge _hubConnections = metrics.Factory.CreateGauge("opsconsole_logs_hub_connections", "Open connections to the live log hub.");

    public void HubConnected() => _hubConnections.Inc();

    public void HubDisconnected() => _hubConnections.Dec();
}
