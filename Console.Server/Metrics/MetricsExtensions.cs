using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Metrics;

public static class MetricsExtensions
{
    /// <summary>The console's instruments and their Prometheus exposition.</summary>
    public static WebApplicationBuilder AddConsoleMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MetricsOptions, MetricsOptionsValidator>(MetricsOptions.Section);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<ConsoleMetrics>();
        builder.Services.TryAddSingleton<IMetricsExposition, PrometheusExposition>();
        builder.Services.AddHostedService<MetricsListenerStarter>();
        return builder;
    }

    /// <summary><c>GET /metrics</c>, unauthenticated like any scrape target; restrict it at the network.</summary>
    public static WebApplication MapConsoleMetrics(this WebApplication app)
    {
        app.MapGet("/metrics", async (HttpContext context, IMetricsExposition exposition) =>
        {
            context.Response.ContentType = exposition.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await using var writer = new StreamWriter(context.Response.Body, leaveOpen: true);
            await exposition.WriteAsync(writer, context.RequestAborted);
            await writer.FlushAsync(context.RequestAborted);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
