using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private TestSandbox _sandbox = default!;

    public async Task InitializeAsync() => _sandbox = await TestSandbox.StartAsync(o => o.HangSeconds = 2);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task ScheduledServerErrors_HitTheNextRequestsOnly()
    {
        await Schedule("ServerError", 2, "/v1/charges");

        var first = await _sandbox.SendAsync("/v1/charges?limit=1");
        var other = await _sandbox.SendAsync("/v1/customers?limit=1");
        var second = await _sandbox.SendAsync("/v1/charges?limit=1");
        var third = await _sandbox.SendAsync("/v1/charges?limit=1");

        Assert.InRange(first.Status, 500, 503);
        Assert.Equal("api_error", first.Body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(200, other.Status);
        Assert.InRange(second.Status, 500, 503);
        Assert.Equal(200, third.Status);
    }

    [Fact]
    public async Task Reset_DropsTheConnection()
    {
        await Schedule("Reset", 1);

        await Assert.ThrowsAsync<HttpRequestException>(() => _sandbox.Http.GetAsync(new Uri("/v1/charges", UriKind.Relative)));
        Assert.Equal(200, (await _sandbox.SendAsync("/v1/charges?limit=1")).Status);
    }

    [Fact]
    public async Task Truncate_EndsTheBodyEarly()
    {
        await Schedule("Truncate", 1);

        var exception = await Record.ExceptionAsync(async () =>
        {
            using var response = await _sandbox.Http.GetAsync(new Uri("/v1/charges?limit=100", UriKind.Relative));
            await response.Content.ReadAsByteArrayAsync();
        });

        Assert.True(exception is HttpRequestException or IOException, $"expected a transport error, got {exception}");
    }

    [Fact]
    public async Task Malformed_Is200WithInvalidJson()
    {
        await Schedule("Malformed", 1);

        using var response = await _sandbox.Http.GetAsync(new Uri("/v1/charges?limit=100", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task Hang_OutlastsTheClientTimeout()
    {
        await Schedule("Hang", 1);
        using var impatient = new HttpClient { BaseAddress = _sandbox.Sandbox.BaseAddress, Timeout = TimeSpan.FromMilliseconds(500) };
        impatient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestSandbox.TestKey);

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetAsync(new Uri("/v1/charges", UriKind.Relative)));
    }

    [Fact]
    public async Task Burst429_RateLimitsTheNextRequestsOfThatKey()
    {
        await Schedule("Burst429", 3);

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await _sandbox.SendAsync("/v1/charges?limit=1")).Status);
        }

        Assert.Equal([429, 429, 429, 200], statuses);
    }

    [Fact]
    public async Task Rates_FromSettings_InjectAboutThatShare()
    {
        using var put = await _sandbox.Http.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new
        {
            serverErrorRate = 0.3, hangRate = 0.0, truncateRate = 0.0, malformedRate = 0.0, resetRate = 0.0,
            tokenExpiryRate = 0.0, burst429Rate = 0.0, burst429Length = 1, hangSeconds = 1,
        });
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        var failures = 0;
        for (var i = 0; i < 200; i++)
        {
            failures += (await _sandbox.SendAsync("/v1/charges?limit=1")).Status >= 500 ? 1 : 0;
        }

        Assert.InRange(failures, 35, 85);
    }

    [Fact]
    public async Task Settings_BadRate_Is400NamingIt()
    {
        using var put = await _sandbox.Http.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new
        {
            serverErrorRate = 1.5, hangRate = 0.0, truncateRate = 0.0, malformedRate = 0.0, resetRate = 0.0,
            tokenExpiryRate = 0.0, burst429Rate = 0.0, burst429Length = 1, hangSeconds = 1,
        });

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("serverErrorRate", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenExpiry_ExpiresOAuthTokensNotKeys()
    {
        using var tokenClient = new HttpClient { BaseAddress = _sandbox.Sandbox.BaseAddress };
        using var issued = await tokenClient.PostAsync(new Uri("/oauth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox-client",
            ["client_secret"] = "sandbox-secret",
        }));
        var token = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        tokenClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await Schedule("TokenExpiry", 1);

        using var expired = await tokenClient.GetAsync(new Uri("/v1/charges", UriKind.Relative));
        using var again = await tokenClient.GetAsync(new Uri("/v1/charges", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("api_key_expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    private async Task Schedule(string kind, int count, string path = "/v1/")
    {
        using var response = await _sandbox.Http.PostAsync(new Uri($"/_sandbox/faults/next?kind={kind}&count={count}&path={Uri.EscapeDataString(path)}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
