using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The console plus one probe endpoint per policy under <c>/api/probe/{policy}</c>, mapped ahead of the app's
/// own pipeline, so the role matrix covers every policy over HTTP with the app's authentication.
/// </summary>
public sealed class OperatorProbeFactory : ConsoleAppFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ProbeStartupFilter>());
    }

    private sealed class ProbeStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
            app.UseEndpoints(endpoints =>
            {
                foreach (var policy in ConsolePolicies.All)
                {
                    endpoints.MapGet($"/api/probe/{policy.ToLowerInvariant()}", () => Results.Ok(policy)).RequireAuthorization(policy);
                }
            });
            next(app);
        };
    }
}
