using System.Text.Json;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.TestSupport;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>A Sandbox on a free loopback port (manual clock, no latency, no limits unless asked) and clients for it.</summary>
public sealed class SandboxSource : IAsyncDisposable
{
    public const long Start = SandboxTestOptions.Start;

    private readonly HttpClient _admin;

    private SandboxSource(RunningSandbox sandbox)
    {
        Sandbox = sandbox;
        _admin = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public RunningSandbox Sandbox { get; }

    public static async Task<SandboxSource> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = SandboxTestOptions.Create();
        configure?.Invoke(options);
        return new SandboxSource(await SandboxApp.StartAsync(options));
    }

    public StripeClient Client(StripeCredentials? credentials = null, Func<StripeClientOptions, StripeClientOptions>? configure = null, RateGate? gate = null)
    {
        var options = new StripeClientOptions
        {
            BaseAddress = Sandbox.BaseAddress,
            Credentials = credentials ?? StripeCredentials.Key("sk_live_sandbox"),
            RequestsPerSecond = 10_000,
            BackoffBase = TimeSpan.FromMilliseconds(5),
            BackoffMax = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        return new StripeClient(configure?.Invoke(options) ?? options, gate);
    }

    public async Task<List<string>> TruthIdsAsync(string stream, long from, long to)
    {
        var json = JsonDocument.Parse(await _admin.GetStringAsync(new Uri($"/_sandbox/truth/{stream}?created[gte]={from}&created[lt]={to}", UriKind.Relative)));
        return [.. json.RootElement.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("id").GetString()!)];
    }

    public async Task AdminAsync(string pathAndQuery)
    {
        using var response = await _admin.PostAsync(new Uri(pathAndQuery, UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await Sandbox.DisposeAsync();
    }
}
