using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Security;

public static class ProxyExtensions
{
    /// <summary>Forwarded headers from the proxies of <c>Proxy:TrustedProxies</c> only, one hop (the proxy's own view of its client).</summary>
    public static WebApplicationBuilder AddProxySupport(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ProxyOptions, ProxyOptionsValidator>(ProxyOptions.Section);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((options, proxy) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var text in proxy.Value.TrustedProxies)
            {
                if (Networks.TryParse(text, out var network))
                {
                    options.KnownIPNetworks.Add(network);
                }
            }
        });
        return builder;
    }

    public static WebApplication UseProxySupport(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }
        return app;
    }
}
