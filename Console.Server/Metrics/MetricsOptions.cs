namespace OpsConsole.Server.Metrics;

/// <summary>What <c>/metrics</c> exports. Section <c>Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Meters to export. Meters created through the host's meter factory (ours, ASP.NET Core's) are exported only
    /// from this host; process-wide ones such as <c>System.Runtime</c> are exported as they are.
    /// Empty (not configured): <see cref="DefaultMeters"/>.
    /// </summary>
    public List<string> Meters { get; set; } = [];

    /// <summary>What <see cref="Meters"/> means when it is not configured.</summary>
    public static IReadOnlyList<string> DefaultMeters { get; } = [ConsoleMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    public IReadOnlyList<string> EffectiveMeters => Meters.Count > 0 ? Meters : DefaultMeters;

    /// <summary>Label combinations kept per metric; further ones are dropped (and logged once) to bound memory.</summary>
    public int MaxSeriesPerMetric { get; set; } = 2000;
}
