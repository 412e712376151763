using System.Net;
using System.Text.Json;

namespace OpsConsole.Server.Tests;

public sealed class OperationalEndpointTests(ConsoleAppFactory factory) : IClassFixture<ConsoleAppFactory>
{
    [Fact]
    public async Task Healthz_Anonymous_IsHealthy()
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_StoresReachable_ReportsEachCheck()
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var body = JsonDocument.Parse(text);
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("sqlite").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("sandbox").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_DatabaseFileGone_IsUnhealthy()
    {
        using var own = new ConsoleAppFactory();
        using var client = own.AnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        // The console's background work opens the database now and then, which may create the file again between the
        // delete and the folder put in its place: then it is deleted again.
        for (var attempt = 0; !Directory.Exists(Path.Combine(own.DataPath, "opsconsole.db")); attempt++)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(own.DataPath, "opsconsole.db*"))
            {
                File.Delete(file);
            }
            try
            {
                Directory.CreateDirectory(Path.Combine(own.DataPath, "opsconsole.db"));
            }
            catch (IOException) when (attempt < 20)
            {
            }
        }

        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("sqlite", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/signin")]
    [InlineData("/api/me")]
    public async Task AnyResponse_CarriesSecurityHeaders(string path)
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-src 'none';", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task BlazorScript_Served_TheWebSdksOwn()
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri("/_framework/blazor.web.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        var script = await response.Content.ReadAsStringAsync();
        Assert.True(script.Length > 100_000, $"blazor.web.js has only {script.Length} characters");
        Assert.Contains("Blazor", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInPage_Anonymous_RendersFormWithAntiforgeryToken()
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri("/signin", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
        Assert.Contains("name=\"Input.Password\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_Anonymous_DescribesTheApi()
    {
        using var client = factory.AnonymousClient();

        var document = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Contains("\"/api/me\"", document, StringComparison.Ordinal);
        Assert.Contains("\"/api/me/keys\"", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterRequests_CountsThemByRouteAndStatus()
    {
        using var client = factory.AnonymousClient();
        await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        // The server records a request's duration as the request ends, which can be just after the client has the
        // response: scrape until both requests are in (or give up after 10 s and let the asserts say what is missing).
        HttpResponseMessage response;
        string text;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
            text = await response.Content.ReadAsStringAsync();
            if (text.Contains("http_route=\"/api/me\"", StringComparison.Ordinal) && text.Contains("http_route=\"/healthz\"", StringComparison.Ordinal)
                || DateTime.UtcNow > deadline)
            {
                break;
            }
            response.Dispose();
            await Task.Delay(50);
        }
        using var scraped = response;

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches("http_server_request_duration_seconds_count\\{[^}]*http_response_status_code=\"401\"[^}]*http_route=\"/api/me\"[^}]*\\} [1-9]", text);
        Assert.Matches("http_server_request_duration_seconds_bucket\\{[^}]*http_route=\"/healthz\"[^}]*le=\"\\+Inf\"\\} [1-9]", text);
    }

    [Fact]
    public async Task Metrics_Output_PassesPromtoolCheck()
    {
        using var client = factory.AnonymousClient();
        await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        using var wrong = factory.BasicClient("viewer", "wrong");
        await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("opsconsole_auth_sign_ins_total{method=\"basic\",outcome=\"failed\"}", text, StringComparison.Ordinal);

        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}");
    }
}
