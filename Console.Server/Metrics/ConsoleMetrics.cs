using Prometheus;

namespace OpsConsole.Server.Metrics;

/// <summary>
/// The console's metrics: one prometheus-net registry per host (tests run several hosts in one process, and the
/// library's static default registry would mix them), holding the console's own counters, gauges and histograms,
/// ASP.NET Core's request metrics (<see cref="AspNetCoreMetrics"/>) and prometheus-net's process and .NET runtime
/// metrics. <c>/metrics</c> serves it.
/// </summary>
public sealed class ConsoleMetrics
{
    private readonly Counter _signIns;

    public ConsoleMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        _signIns = Factory.CreateCounter("opsconsole_auth_sign_ins_total",
            "Sign-in attempts by method (form, basic) and outcome (succeeded, failed, locked_out, throttled).", ["method", "outcome"]);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Creates metrics in <see cref="Registry"/>.</summary>
    public IMetricFactory Factory { get; }

    public void SignIn(string method, string outcome) => _signIns.WithLabels(method, outcome).Inc();
}
