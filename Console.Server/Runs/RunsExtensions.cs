using OpsConsole.Server.Configuration;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;

namespace OpsConsole.Server.Runs;

public static class RunsExtensions
{
    /// <summary>Runs (store, launcher, lifecycle), the local job runner, the log service and the log hub.</summary>
    public static WebApplicationBuilder AddRuns(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<RunnerOptions, RunnerOptionsValidator>(RunnerOptions.Section);
        services.AddValidatedOptions<LogOptions, LogOptionsValidator>(LogOptions.Section);
        services.AddValidatedOptions<SourceOptions, SourceOptionsValidator>(SourceOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => StateStores.Open(sp.GetRequiredService<JobSpecFactory>().StateUri));
        services.AddSingleton<SqliteRunStore>();
        services.AddSingleton<JobSpecFactory>();
        services.AddSingleton(sp =>
        {
            var specs = sp.GetRequiredService<JobSpecFactory>();
            return new Redactor([specs.SecretKey, builder.Configuration["Sandbox:OAuthClientSecret"]]);
        });
        services.AddJobRunners();
        services.AddSingleton<LogService>();
        services.AddHostedService(sp => sp.GetRequiredService<LogService>());
        services.AddSingleton<RunMetrics>();
        services.AddSingleton<RunService>();
        services.AddSingleton<IRunService>(sp => sp.GetRequiredService<RunService>());
        services.AddHostedService(sp => sp.GetRequiredService<RunService>());
        services.AddSignalR();
        return builder;
    }

    public static WebApplication MapRuns(this WebApplication app)
    {
        app.MapRunsApi();
        app.MapHub<LogsHub>("/hubs/logs").RequireAuthorization(Shared.Auth.ConsolePolicies.Viewer);
        return app;
    }
}
