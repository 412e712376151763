using Microsoft.AspNetCore.HttpOverrides;

namespace OpsConsole.Server.Security;

public static class ProxyExtensions
{
    public static WebApplicationBuilder AddProxySupport(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
        });
        return builder;
    }

    public static WebApplication UseProxySupport(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>($"{ProxyOptions.Section}:{nameof(ProxyOptions.TrustForwardedHeaders)}"))
        {
            app.UseForwardedHeaders();
        }
        return app;
    }
}
