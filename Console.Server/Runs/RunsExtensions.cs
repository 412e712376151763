using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsConsole.Server.Configuration;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;

namespace OpsConsole.Server.Runs;

public static class RunsExtensions
{
    /// <summary>
    /// Runs: the store, launching and cancelling, following jobs, reconciling at start, the run metrics, the job
    /// runners, the state store the jobs share and the redaction of their secrets.
    /// </summary>
    public static WebApplicationBuilder AddRuns(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<RunnerOptions, RunnerOptionsValidator>(RunnerOptions.Section);
        services.AddValidatedOptions<Runners.Kubernetes.KubernetesOptions, Runners.Kubernetes.KubernetesOptionsValidator>(Runners.Kubernetes.KubernetesOptions.Section);
        services.AddValidatedOptions<SourceOptions, SourceOptionsValidator>(SourceOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => StateStores.Open(sp.GetRequiredService<JobSpecFactory>().StateUri));
        services.TryAddSingleton<IRunStore, SqliteRunStore>();
        services.AddSingleton<Quality.RulesLocation>();
        services.AddSingleton<JobSpecFactory>();
        services.AddSingleton(sp =>
        {
            var specs = sp.GetRequiredService<JobSpecFactory>();
            return new Redactor([specs.SecretKey, builder.Configuration["Sandbox:OAuthClientSecret"]]);
        });
        services.AddJobRunners();
        services.AddSingleton<RunMetrics>();
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<RunMetrics>());
        services.TryAddSingleton<IRunPricer, UnpricedRuns>();
        services.AddSingleton<RunEvents>();
        services.AddSingleton<RunFinisher>();
        services.AddSingleton<RunFollower>();
        services.AddSingleton<RunLauncher>();
        services.AddSingleton<IRunService>(sp => sp.GetRequiredService<RunLauncher>());
        services.AddHostedService<RunReconciler>();
        services.AddHostedService<RunRetrier>();
        return builder;
    }

    public static WebApplication MapRuns(this WebApplication app)
    {
        app.MapRunsApi();
        return app;
    }
}
