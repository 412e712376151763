using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpsConsole.Sandbox.Access;
using OpsConsole.Sandbox.Admin;
using OpsConsole.Sandbox.Api;
using OpsConsole.Sandbox.Data;
using OpsConsole.Sandbox.Faults;
using OpsConsole.Sandbox.Limits;

namespace OpsConsole.Sandbox.Hosting;

/// <summary>Builds the Sandbox as its own web app: standalone (Program) or started in-process by another host or a test.</summary>
public static class SandboxApp
{
    /// <summary>Registers the Sandbox's services for <paramref name="options"/> (validated first).</summary>
    public static IServiceCollection AddSandbox(this IServiceCollection services, SandboxOptions options)
    {
        var errors = SandboxOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new SandboxOptionsException(errors);
        }
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SandboxClock(sp.GetRequiredService<TimeProvider>(), options.StartTime, options.ManualClock));
        services.AddSingleton<SandboxWorld>();
        services.AddSingleton<StripeApi>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<RequestStats>();
        services.AddSingleton<RequestPipeline>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return services;
    }

    /// <summary>Maps <c>/v1</c>, <c>/oauth/token</c>, <c>/healthz</c> and, when enabled, <c>/_sandbox</c>.</summary>
    public static WebApplication MapSandbox(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<SandboxOptions>();
        app.Use((context, next) =>
        {
            context.Response.Headers["Request-Id"] = $"req_{Guid.NewGuid():N}"[..18];
            context.Response.Headers["Stripe-Version"] = StripeJson.ApiVersion;
            return next(context);
        });
        app.MapGet("/healthz", () => Results.Json(new { status = "alive" }));
        app.MapStripeApi();
        if (options.Admin)
        {
            app.MapSandboxAdmin();
        }
        return app;
    }

    /// <summary>A web app serving the Sandbox; the data set is generated before it returns.</summary>
    public static WebApplication Build(SandboxOptions options, string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSandbox(options);
        configure?.Invoke(builder);
        var app = builder.Build();
        var watch = Stopwatch.StartNew();
        var world = app.Services.GetRequiredService<SandboxWorld>();
        var (charges, customers, refunds, events, bytes) = world.Size();
        app.Logger.LogInformation(
            "Sandbox data: {Charges} charges, {Customers} customers, {Refunds} refunds, {Events} events ({Megabytes:F1} MiB of rows) generated in {Elapsed} ms from seed {Seed}",
            charges, customers, refunds, events, bytes / 1048576.0, watch.ElapsedMilliseconds, options.Seed);
        app.MapSandbox();
        return app;
    }

    /// <summary>Starts the Sandbox in this process on <paramref name="url"/> (port 0: any free port).</summary>
    public static async Task<RunningSandbox> StartAsync(SandboxOptions options, string url = "http://127.0.0.1:0", Action<WebApplicationBuilder>? configure = null)
    {
        var app = Build(options, ["--urls", url], configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningSandbox(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }
}

/// <summary>A Sandbox running in this process.</summary>
public sealed class RunningSandbox(WebApplication app, Uri baseAddress) : IAsyncDisposable
{
    public Uri BaseAddress { get; } = baseAddress;

    public IServiceProvider Services => app.Services;

    public SandboxWorld World => app.Services.GetRequiredService<SandboxWorld>();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>The Sandbox's settings are wrong; every problem names its option.</summary>
public sealed class SandboxOptionsException : Exception
{
    public SandboxOptionsException(IReadOnlyList<string> errors)
        : base("Invalid Sandbox options: " + string.Join(" ", errors)) => Errors = errors;

    public SandboxOptionsException()
        : this([])
    {
    }

    public SandboxOptionsException(string message)
        : this([message])
    {
    }

    public SandboxOptionsException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}
