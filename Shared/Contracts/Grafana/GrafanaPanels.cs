using System.Globalization;

namespace OpsConsole.Shared.Grafana;

/// <summary>The places in the console that show a Grafana panel when one is configured (and the console's own chart otherwise).</summary>
public static class GrafanaPlaces
{
    /// <summary>The run page's throughput, scoped to the run's time and stream.</summary>
    public const string RunThroughput = "RunThroughput";

    /// <summary>The Costs page's cost per day.</summary>
    public const string CostsPerDay = "CostsPerDay";

    /// <summary>The Quality page's rule failures, scoped to the chosen stream.</summary>
    public const string QualityFailures = "QualityFailures";

    public static readonly IReadOnlyList<string> All = [RunThroughput, CostsPerDay, QualityFailures];
}

/// <summary>
/// Grafana panels embedded by configuration: a base URL and, per place, a dashboard uid and panel id. Each panel is
/// the dashboard's solo-panel view (<c>/d-solo/{uid}/...?panelId=</c>) for a time range and template variables.
/// </summary>
public sealed class GrafanaPanels(Uri? baseUrl, IReadOnlyDictionary<string, (string Uid, int PanelId)> panels)
{
    public static GrafanaPanels None { get; } = new(null, new Dictionary<string, (string, int)>());

    /// <summary>Grafana's origin (scheme, host, port): what the console's CSP lets frames load from; null when not configured.</summary>
    public string? Origin => baseUrl is null ? null : $"{baseUrl.Scheme}://{baseUrl.Authority}";

    /// <summary>The panel's URL for a place, or null when that place has no panel configured (the console draws its own chart).</summary>
    public Uri? Url(string place, DateTimeOffset from, DateTimeOffset to, IReadOnlyDictionary<string, string>? variables = null)
    {
        if (baseUrl is null || !panels.TryGetValue(place, out var panel))
        {
            return null;
        }
        var query = new List<string>
        {
            "orgId=1",
            $"panelId={panel.PanelId.ToString(CultureInfo.InvariantCulture)}",
            $"from={from.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
            $"to={to.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
            "theme=light",
        };
        query.AddRange((variables ?? new Dictionary<string, string>()).OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"var-{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));
        return new Uri(baseUrl, $"{baseUrl.AbsolutePath.TrimEnd('/')}/d-solo/{Uri.EscapeDataString(panel.Uid)}/opsconsole?{string.Join('&', query)}");
    }
}
