using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;
using OpsConsole.Server.Security;
using Prometheus;

namespace OpsConsole.Server.Metrics;

public static class MetricsExtensions
{
    private const string Path = "/metrics";

    /// <summary>The console's metrics registry, ASP.NET Core's request metrics in it, and the scrape's network rule.</summary>
    public static WebApplicationBuilder AddConsoleMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MetricsOptions, MetricsOptionsValidator>(MetricsOptions.Section);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<ConsoleMetrics>();
        builder.Services.TryAddSingleton<AspNetCoreMetrics>();
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c> (prometheus-net's text exposition of the console's registry), unauthenticated like any scrape
    /// target: restrict it at the network, or with <c>Metrics:AllowedNetworks</c>.
    /// </summary>
    public static WebApplication MapConsoleMetrics(this WebApplication app)
    {
        // Listening starts now, before the first request, so every request is counted.
        _ = app.Services.GetRequiredService<AspNetCoreMetrics>();
        var registry = app.Services.GetRequiredService<ConsoleMetrics>().Registry;
        app.Use(async (context, next) =>
        {
            // By segments: routing also serves /metrics/ (and any casing) from the endpoint below.
            if (context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase) && !MayScrape(context))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(context);
        });
        app.MapMetrics(Path, registry).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Whether the client may read <c>/metrics</c>: from a network of <c>Metrics:AllowedNetworks</c>, or from anywhere when there is none.</summary>
    private static bool MayScrape(HttpContext context)
    {
        var allowed = context.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.AllowedNetworks;
        if (allowed.Count == 0)
        {
            return true;
        }
        var address = context.Connection.RemoteIpAddress;
        address = address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address;
        return address is not null && allowed.Any(n => Networks.TryParse(n, out var network) && network.Contains(address));
    }
}
