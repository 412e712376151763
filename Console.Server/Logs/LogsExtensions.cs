using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Logs;

public static class LogsExtensions
{
    /// <summary>
    /// The runs' logs: the log service (ring buffers, archives), their copies in the lake, its metric and the SignalR hub. The redactor comes
    /// from whoever knows the secrets (<c>AddRuns</c>).
    /// </summary>
    public static WebApplicationBuilder AddLogs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<LogOptions, LogOptionsValidator>(LogOptions.Section);
        services.AddSingleton<LogMetrics>();
        services.AddSingleton<LogService>();
        services.AddSingleton<LakeLogArchiver>();
        services.AddSingleton<Runs.IRunObserver>(sp => sp.GetRequiredService<LakeLogArchiver>());
        services.AddHostedService(sp => sp.GetRequiredService<LakeLogArchiver>());
        services.AddHostedService(sp =>
        {
            // Created with the log service, so the viewers' gauge is scraped (at 0) before the first viewer comes.
            sp.GetRequiredService<LogMetrics>();
            return sp.GetRequiredService<LogService>();
        });
        // JSON for any client, MessagePack for the console's own log viewer (smaller, and a line's text travels
        // unescaped): a client picks one when it connects.
        services.AddSignalR().AddMessagePackProtocol();
        return builder;
    }

    public static WebApplication MapLogs(this WebApplication app)
    {
        app.MapHub<LogsHub>("/hubs/logs").RequireAuthorization(Shared.Auth.ConsolePolicies.Viewer);
        return app;
    }
}
