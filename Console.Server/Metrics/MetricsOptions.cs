namespace OpsConsole.Server.Metrics;

/// <summary>Who may read <c>/metrics</c>. Section <c>Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>, or one address) whose clients may scrape <c>/metrics</c>; others get
    /// 403. Empty: anyone who reaches the console (restrict it at the network instead).
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
