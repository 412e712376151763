namespace OpsConsole.Server.Metrics;

/// <summary>
/// Creates the exposition (and so its listener) when the host starts, after options validation (it is resolved
/// here, not injected, because hosted services are constructed before validation) and before the first request.
/// </summary>
internal sealed class MetricsListenerStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<IMetricsExposition>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
