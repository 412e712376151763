using System.Net;
using System.Net.Http.Headers;

namespace OpsConsole.Server.Tests;

/// <summary>
/// A page on another port of the same host (same site, other origin) using a signed-in user's cookie: state changes
/// and the log hub are refused; the console's own pages, and Basic or API-key callers from anywhere, are not.
/// </summary>
public sealed class SameOriginTests(ConsoleAppFactory factory) : IClassFixture<ConsoleAppFactory>
{
    private const string OtherPort = "http://localhost:8666";

    [Theory]
    [InlineData("Origin", OtherPort)]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task CookieStateChange_FromAnotherOrigin_Refused(string header, string value)
    {
        using var client = await SignedInAsync("admin", ConsoleAppFactory.AdminPassword);

        using var response = await SendAsync(client, HttpMethod.Post, "/api/runs/run-x/cancel?force=true", (header, value));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Cross-origin request refused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CookieLogHub_FromAnotherOrigin_Refused_FromItsOwnOrigin_Served()
    {
        using var client = await SignedInAsync("viewer", ConsoleAppFactory.ViewerPassword);

        using var refused = await SendAsync(client, HttpMethod.Post, "/hubs/logs/negotiate?negotiateVersion=1", ("Origin", OtherPort));
        using var served = await SendAsync(client, HttpMethod.Post, "/hubs/logs/negotiate?negotiateVersion=1", ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task CookieStateChange_FromItsOwnOrigin_GoesThrough()
    {
        using var client = await SignedInAsync("admin", ConsoleAppFactory.AdminPassword);

        using var response = await SendAsync(client, HttpMethod.Post, "/api/runs/run-x/cancel", ("Origin", "http://localhost"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task OwnFormPost_OriginNullUnderNoReferrer_SameOriginByFetchMetadata_GoesThrough()
    {
        using var client = await SignedInAsync("admin", ConsoleAppFactory.AdminPassword);

        using var response = await SendAsync(client, HttpMethod.Post, "/api/runs/run-x/cancel", ("Origin", "null"), ("Sec-Fetch-Site", "same-origin"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task BasicAuth_FromAnywhere_NotAmbient_GoesThrough()
    {
        using var client = factory.BasicClient("admin");

        using var response = await SendAsync(client, HttpMethod.Post, "/api/runs/run-x/cancel", ("Origin", OtherPort));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ReadsFromAnotherOrigin_NotAStateChange_GoThrough()
    {
        using var client = await SignedInAsync("viewer", ConsoleAppFactory.ViewerPassword);

        using var response = await SendAsync(client, HttpMethod.Get, "/api/me", ("Origin", OtherPort));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AllowedOrigin_Configured_GoesThrough()
    {
        using var console = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Security:AllowedOrigins:0"] = "https://console.example.com" });
        using var client = console.AnonymousClient();
        await SignInForm.PostAsync(client, "admin", ConsoleAppFactory.AdminPassword);

        using var response = await SendAsync(client, HttpMethod.Post, "/api/runs/run-x/cancel", ("Origin", "https://console.example.com"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        return await client.SendAsync(request);
    }

    private async Task<HttpClient> SignedInAsync(string user, string password)
    {
        var client = factory.AnonymousClient();
        using var signedIn = await SignInForm.PostAsync(client, user, password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }
}
