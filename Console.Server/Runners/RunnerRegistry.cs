using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Runners.Local;

namespace OpsConsole.Server.Runners;

/// <summary>
/// The runners by kind (<c>Runner:Kind</c>). A new runner is a folder beside <c>Local/</c> and one entry here; an
/// unknown kind stops the console at start, naming the setting.
/// </summary>
internal static class RunnerRegistry
{
    private static readonly Dictionary<string, Type> Runners = new(StringComparer.Ordinal)
    {
        [LocalJobRunner.LocalKind] = typeof(LocalJobRunner),
        [Kubernetes.KubernetesJobManifest.Kind] = typeof(Kubernetes.KubernetesJobRunner),
    };

    public static IReadOnlyCollection<string> Kinds => Runners.Keys;

    /// <summary>Registers every runner and, as <see cref="IJobRunner"/>, the one <c>Runner:Kind</c> names.</summary>
    public static IServiceCollection AddJobRunners(this IServiceCollection services)
    {
        foreach (var runner in Runners.Values)
        {
            services.TryAddSingleton(runner);
        }
        // Runner:Kind is validated at start (RunnerOptionsValidator), so the lookup below finds the kind.
        services.TryAddSingleton(sp => (IJobRunner)sp.GetRequiredService(Runners[sp.GetRequiredService<IOptions<RunnerOptions>>().Value.Kind]));
        return services;
    }
}
