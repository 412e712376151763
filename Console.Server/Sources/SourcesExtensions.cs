using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Sources;

public static class SourcesExtensions
{
    /// <summary>The embedded Sandbox source (section <c>Sandbox</c>), started with the console and part of <c>/readyz</c>.</summary>
    public static WebApplicationBuilder AddEmbeddedSandbox(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EmbeddedSandboxOptions, EmbeddedSandboxOptionsValidator>(EmbeddedSandboxOptions.Section);
        builder.Services.AddSingleton<EmbeddedSandbox>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSandbox>());
        builder.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "sandbox", sp => sp.GetRequiredService<EmbeddedSandbox>(), failureStatus: null, tags: ["ready"]));
        return builder;
    }
}
