using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Sources;

namespace OpsConsole.Server.Tests;

public sealed class EmbeddedSandboxTests
{
    [Fact]
    public async Task Console_Started_ServesTheSandboxSourceOnItsOwnPort()
    {
        using var factory = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Sandbox:Charges"] = "321", ["Sandbox:ArrivalsPerSecond"] = "0", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0" });
        _ = factory.CreateClient();
        var sandbox = factory.Services.GetRequiredService<EmbeddedSandbox>();

        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_sandbox");
        var page = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v1/charges?limit=1", UriKind.Relative))).RootElement;

        Assert.Equal("list", page.GetProperty("object").GetString());
        Assert.Equal(321, sandbox.Services!.GetRequiredService<OpsConsole.Sandbox.Data.SandboxWorld>().Size().Charges);
    }

    [Fact]
    public async Task Disabled_IsNotStartedAndReadinessSaysSo()
    {
        using var factory = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Sandbox:Enabled"] = "false" });
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(factory.Services.GetRequiredService<EmbeddedSandbox>().BaseAddress);
        Assert.Contains("disabled", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
