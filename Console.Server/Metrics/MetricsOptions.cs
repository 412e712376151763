namespace OpsConsole.Server.Metrics;

/// <summary>What <c>/metrics</c> exports. Section <c>Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Meters to export. Meters created through the host's meter factory (ours, ASP.NET Core's) are exported only
    /// from this host; process-wide ones such as <c>System.Runtime</c> are exported as they are.
    /// </summary>
    public List<string> Meters { get; set; } = [ConsoleMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    /// <summary>Label combinations kept per metric; further ones are dropped (and logged once) to bound memory.</summary>
    public int MaxSeriesPerMetric { get; set; } = 2000;
}
