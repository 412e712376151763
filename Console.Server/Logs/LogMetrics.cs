using System.Diagnostics.Metrics;
using OpsConsole.Server.Metrics;

namespace OpsConsole.Server.Logs;

/// <summary>The live log hub as a metric: open viewer connections.</summary>
public sealed class LogMetrics
{
    private int _hubConnections;

    public LogMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ConsoleMetrics.MeterName);
        meter.CreateObservableGauge("opsconsole.logs.hub_connections", () => Volatile.Read(ref _hubConnections), "{connection}",
            "Open connections to the live log hub.");
    }

    public void HubConnected() => Interlocked.Increment(ref _hubConnections);

    public void HubDisconnected() => Interlocked.Decrement(ref _hubConnections);
}
