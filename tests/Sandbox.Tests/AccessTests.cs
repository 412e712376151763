using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

public sealed class AccessTests : IAsyncLifetime
{
    private TestSandbox _sandbox = default!;

    public async Task InitializeAsync() => _sandbox = await TestSandbox.StartAsync(o => o.TokenLifetimeSeconds = 600);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task NoKey_Is401InStripesShape()
    {
        using var client = new HttpClient { BaseAddress = _sandbox.Sandbox.BaseAddress };

        using var response = await client.GetAsync(new Uri("/v1/charges", UriKind.Relative));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("did not provide an API key", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_Is401AndTheMessageMasksIt()
    {
        using var client = Client(new AuthenticationHeaderValue("Bearer", "sk_test_not_a_real_key_9876"));

        using var response = await client.GetAsync(new Uri("/v1/charges", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Invalid API Key provided: sk_test_", body, StringComparison.Ordinal);
        Assert.Contains("9876", body, StringComparison.Ordinal);
        Assert.DoesNotContain("not_a_real_key", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyAsBasicUser_IsAccepted_AndLiveKeysSeeLivemode()
    {
        using var client = Client(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSandbox.LiveKey}:"))));

        var page = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v1/charges?limit=1", UriKind.Relative))).RootElement;

        Assert.True(page.GetProperty("data")[0].GetProperty("livemode").GetBoolean());
        Assert.False((await _sandbox.GetJsonAsync("/v1/charges?limit=1")).GetProperty("data")[0].GetProperty("livemode").GetBoolean());
    }

    [Fact]
    public async Task OAuthToken_WorksUntilItExpiresOnTheSandboxClock()
    {
        var token = await TokenAsync("sandbox-client", "sandbox-secret");
        Assert.Equal(600, token.GetProperty("expires_in").GetInt32());
        Assert.Equal("bearer", token.GetProperty("token_type").GetString());
        using var client = Client(new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/v1/charges", UriKind.Relative))).StatusCode);
        await _sandbox.Http.PostAsync(new Uri("/_sandbox/clock/advance?seconds=600", UriKind.Relative), null);

        using var expired = await client.GetAsync(new Uri("/v1/charges", UriKind.Relative));
        var error = JsonDocument.Parse(await expired.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("api_key_expired", error.GetProperty("code").GetString());

        var fresh = await TokenAsync("sandbox-client", "sandbox-secret");
        using var refreshed = Client(new AuthenticationHeaderValue("Bearer", fresh.GetProperty("access_token").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await refreshed.GetAsync(new Uri("/v1/charges", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task OAuthToken_ClientByBasicHeader_IsIssued()
    {
        using var client = Client(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("sandbox-client:sandbox-secret"))));

        using var response = await client.PostAsync(new Uri("/oauth/token", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("client_credentials", "sandbox-client", "wrong", 401, "invalid_client")]
    [InlineData("client_credentials", "someone", "sandbox-secret", 401, "invalid_client")]
    [InlineData("password", "sandbox-client", "sandbox-secret", 400, "unsupported_grant_type")]
    public async Task OAuthToken_BadRequest_AnswersPerRfc6749(string grant, string id, string secret, int status, string error)
    {
        using var client = new HttpClient { BaseAddress = _sandbox.Sandbox.BaseAddress };

        using var response = await client.PostAsync(new Uri("/oauth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grant,
            ["client_id"] = id,
            ["client_secret"] = secret,
        }));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ExpireAllTokens_Admin_EndsIssuedTokens()
    {
        var token = await TokenAsync("sandbox-client", "sandbox-secret");
        using var client = Client(new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString()));

        await _sandbox.Http.PostAsync(new Uri("/_sandbox/tokens/expire", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/v1/charges", UriKind.Relative))).StatusCode);
    }

    private HttpClient Client(AuthenticationHeaderValue authorization)
    {
        var client = new HttpClient { BaseAddress = _sandbox.Sandbox.BaseAddress };
        client.DefaultRequestHeaders.Authorization = authorization;
        return client;
    }

    private async Task<JsonElement> TokenAsync(string id, string secret)
    {
        using var client = new HttpClient { BaseAddress = _sandbox.Sandbox.BaseAddress };
        using var response = await client.PostAsync(new Uri("/oauth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = id,
            ["client_secret"] = secret,
        }));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
