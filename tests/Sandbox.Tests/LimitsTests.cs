using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

public sealed class LimitsTests
{
    [Fact]
    public async Task TestKey_OverItsRate_Gets429WithStripesBodyAndReason()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.TestRatePerSecond = 5);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => sandbox.Http.GetAsync(new Uri("/v1/charges?limit=1", UriKind.Relative))));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        // A full bucket of 5, plus at most a refill or two while the 20 requests arrive on a busy machine.
        Assert.InRange(responses.Count(r => r.StatusCode == HttpStatusCode.OK), 5, 8);
        Assert.NotEmpty(limited);
        var error = JsonDocument.Parse(await limited[0].Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("global-rate", limited[0].Headers.GetValues("Stripe-Rate-Limited-Reason").Single());
        Assert.False(limited[0].Headers.Contains("Retry-After"));

        var stats = await sandbox.GetJsonAsync("/_sandbox/stats");
        var row = stats.EnumerateArray().Single(s => s.GetProperty("endpoint").GetString() == "GET /v1/charges");
        Assert.Equal(limited.Count, row.GetProperty("rateLimited").GetInt64());
        Assert.Equal(20, row.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task Rate_Sustained_StaysAtTheLimit()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.LiveRatePerSecond = 50);
        sandbox.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestSandbox.LiveKey);
        var watch = Stopwatch.StartNew();
        var ok = 0;

        // Four clients in parallel, so the client is never the bottleneck.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (watch.Elapsed < TimeSpan.FromSeconds(2))
            {
                using var response = await sandbox.Http.GetAsync(new Uri("/v1/charges?limit=1", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref ok);
                }
            }
        }));

        // A full bucket (50) plus 50 a second for two seconds: never more than 150 (plus timing slack).
        Assert.InRange(ok, 100, 155);
    }

    [Fact]
    public async Task EndpointRate_LimitsEachEndpointSeparately()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.EndpointRatePerSecond = 3);

        var charges = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => sandbox.Http.GetAsync(new Uri("/v1/charges?limit=1", UriKind.Relative))));
        var customers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => sandbox.Http.GetAsync(new Uri("/v1/customers?limit=1", UriKind.Relative))));

        Assert.InRange(charges.Count(r => r.StatusCode == HttpStatusCode.OK), 3, 4);
        Assert.Equal("endpoint-rate", charges.First(r => !r.IsSuccessStatusCode).Headers.GetValues("Stripe-Rate-Limited-Reason").Single());
        Assert.All(customers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task Concurrency_OverTheCap_Gets429()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.MaxConcurrentPerKey = 2;
            o.LatencyMs = 300;
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => sandbox.Http.GetAsync(new Uri("/v1/charges?limit=1", UriKind.Relative))));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal("global-concurrency", responses.First(r => !r.IsSuccessStatusCode).Headers.GetValues("Stripe-Rate-Limited-Reason").Single());
    }

    [Fact]
    public async Task Latency_DelaysEveryAnswer()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.LatencyMs = 250;
            o.JitterMs = 50;
        });
        var watch = Stopwatch.StartNew();

        await sandbox.GetJsonAsync("/v1/charges?limit=1");

        Assert.True(watch.ElapsedMilliseconds >= 195, $"answered after {watch.ElapsedMilliseconds} ms");
    }
}
