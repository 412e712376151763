using System.Globalization;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;
using OpsConsole.Shared.Grafana;

namespace OpsConsole.Server.Grafana;

/// <summary>
/// Grafana panels shown inside the console (<c>Grafana</c> section): <c>BaseUrl</c> and, per place
/// (<see cref="GrafanaPlaces"/>), <c>Panels:{place}</c> = <c>{dashboard uid}:{panel id}</c>. Unset, the console
/// draws its own charts from the same data, never an empty frame.
/// </summary>
public sealed class GrafanaOptions
{
    public const string Section = "Grafana";

    public string? BaseUrl { get; set; }

    public Dictionary<string, string> Panels { get; set; } = [];

    public GrafanaPanels ToPanels() => BaseUrl is not { Length: > 0 } ? GrafanaPanels.None
        : new GrafanaPanels(new Uri(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/"), Panels.ToDictionary(p => p.Key, p => Parse(p.Value)!.Value));

    internal static (string Uid, int PanelId)? Parse(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? (value[..colon], id) : null;
    }
}

internal sealed class GrafanaOptionsValidator : IValidateOptions<GrafanaOptions>
{
    public ValidateOptionsResult Validate(string? name, GrafanaOptions options)
    {
        var errors = new OptionsErrors(GrafanaOptions.Section);
        if (options.BaseUrl is { Length: > 0 } url)
        {
            // Credentials in the URL would reach every page's CSP header and every viewer's frame: refused, and never echoed.
            var valid = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
            errors.Require(valid && uri!.UserInfo.Length == 0, nameof(GrafanaOptions.BaseUrl),
                valid ? "must not hold a user name or password; Grafana's own sign-in (or anonymous access) applies to the frames."
                    : "must be an http(s) URL such as https://grafana.example.com.");
            errors.Require(!valid || (uri!.Query.Length == 0 && uri.Fragment.Length == 0), nameof(GrafanaOptions.BaseUrl), "must have no query or fragment.");
        }
        foreach (var (place, value) in options.Panels)
        {
            errors.Require(GrafanaPlaces.All.Contains(place), $"Panels:{place}", $"is not a place: use {string.Join(", ", GrafanaPlaces.All)}.");
            errors.Require(GrafanaOptions.Parse(value) is not null, $"Panels:{place}", $"must be dashboard-uid:panel-id, such as opsconsole-runs:2 (got '{value}').");
        }
        errors.Require(options.Panels.Count == 0 || options.BaseUrl is { Length: > 0 }, nameof(GrafanaOptions.BaseUrl), "is required when panels are configured.");
        return errors.ToResult();
    }
}

internal static class GrafanaExtensions
{
    public static WebApplicationBuilder AddGrafanaPanels(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GrafanaOptions, GrafanaOptionsValidator>(GrafanaOptions.Section);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<GrafanaOptions>>().Value.ToPanels());
        return builder;
    }
}
