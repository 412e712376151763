using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Server.Sources;

/// <summary>
/// Runs the Sandbox (the Stripe-compatible demo source) inside the console process on its own loopback port, so
/// the embedded default has a source to ingest from with nothing else installed.
/// </summary>
public sealed class EmbeddedSandbox(IOptions<EmbeddedSandboxOptions> options, IConfiguration configuration, ILogger<EmbeddedSandbox> logger)
    : IHostedService, IHealthCheck, IAsyncDisposable
{
    private RunningSandbox? _sandbox;

    /// <summary>Where the Sandbox answers, once started.</summary>
    public Uri? BaseAddress => _sandbox?.BaseAddress;

    /// <summary>The running Sandbox's services (its data and admin state), once started.</summary>
    public IServiceProvider? Services => _sandbox?.Services;

    /// <summary>The Sandbox options of the <c>Sandbox</c> section, over the embedded defaults.</summary>
    public static SandboxOptions SandboxOptionsFrom(IConfiguration configuration)
    {
        var sandbox = new SandboxOptions();
        configuration.GetSection(EmbeddedSandboxOptions.Section).Bind(sandbox);
        return sandbox;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        // The console reports its own start; the Sandbox's host says only what goes wrong.
        _sandbox = await SandboxApp.StartAsync(SandboxOptionsFrom(configuration), options.Value.Url,
            builder => builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning));
        logger.LogInformation("Sandbox source listening on {Url}", _sandbox.BaseAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_sandbox is { } sandbox)
        {
            _sandbox = null;
            await sandbox.DisposeAsync();
        }
    }

    /// <summary>Ready when the Sandbox's host has started and is not stopping (checked in process, not over the network).</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("disabled"));
        }
        if (_sandbox is not { } sandbox)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("not started"));
        }
        var lifetime = sandbox.Services.GetRequiredService<IHostApplicationLifetime>();
        return Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Healthy(sandbox.BaseAddress.ToString())
            : HealthCheckResult.Unhealthy($"{sandbox.BaseAddress} is stopping"));
    }
}
