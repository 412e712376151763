using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;
using OpsConsole.TestSupport;

namespace OpsConsole.Browser.Tests;

/// <summary>The Costs page and a run's cost; Grafana panels as frames when configured, the console's own charts when not.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CostsAndPanelsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task WithoutGrafana_CostsPageAndRunPageShowTheRunsCostWithNativeCharts()
    {
        var id = await fixture.RunToTheEndAsync("refunds");
        var cost = (await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{id}")).GetProperty("cost");
        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");

        await new ShellPageObject(page).OpenAsync("Costs");
        var row = page.Locator($".cost-run[data-run='{id}']");
        await Assertions.Expect(row.Locator(".cost-total")).ToHaveTextAsync(Usd(cost.GetProperty("total").GetDouble()));
        await Assertions.Expect(page.Locator(".cost-stream[data-stream=refunds]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cost-month-to-date")).ToContainTextAsync("$");
        await Assertions.Expect(page.Locator("#cost-days-chart svg").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("iframe")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "costs-page.png"), FullPage = true });

        await row.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Assertions.Expect(page.Locator("#run-cost")).ToHaveTextAsync(Usd(cost.GetProperty("total").GetDouble()));
        await page.Locator("#run-cost-breakdown summary").ClickAsync();
        await Assertions.Expect(page.Locator("#run-cost-glue")).ToHaveTextAsync(Usd(cost.GetProperty("glue").GetDouble()));
        await Assertions.Expect(page.Locator("#throughput-chart svg").First.Or(page.GetByText("The chart fills in"))).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("iframe")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task WithGrafana_PanelsAreFramesForTheRunsTimeAndId_LoadedUnderACspAllowingOnlyThatOrigin()
    {
        // A stand-in for Grafana on loopback that records what the frames ask for.
        var port = LoopbackPorts.Free();
        using var grafana = new HttpListener();
        grafana.Prefixes.Add($"http://127.0.0.1:{port}/grafana/");
        grafana.Start();
        var asked = new ConcurrentQueue<Uri>();
        _ = Task.Run(async () =>
        {
            while (grafana.IsListening)
            {
                var context = await grafana.GetContextAsync();
                asked.Enqueue(context.Request.Url!);
                var body = Encoding.UTF8.GetBytes("<!doctype html><title>panel</title><p>panel</p>");
                context.Response.ContentType = "text/html";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        await using var console = await ConsoleServer.StartAsync("--Grafana:BaseUrl", $"http://127.0.0.1:{port}/grafana",
            "--Grafana:Panels:RunThroughput", "opsconsole-throughput:1", "--Grafana:Panels:CostsPerDay", "opsconsole-cost:4");
        var id = await fixture.RunToTheEndAsync("refunds", console);
        var run = await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{id}", server: console);
        var (page, _) = await fixture.NewPageAsync(console);
        await new SignInPageObject(page).SignInAsync("viewer");

        var response = await page.GotoAsync($"/runs/{id}");
        Assert.Contains($"frame-src http://127.0.0.1:{port};", response!.Headers["content-security-policy"], StringComparison.Ordinal);
        var frame = page.Locator("iframe.grafana-panel[data-place=RunThroughput]");
        await Assertions.Expect(frame).ToBeVisibleAsync();
        var src = new Uri((await frame.GetAttributeAsync("src"))!);
        Assert.Equal(($"127.0.0.1:{port}", "/grafana/d-solo/opsconsole-throughput/opsconsole"), (src.Authority, src.AbsolutePath));
        var query = src.Query.TrimStart('?').Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("1", query["panelId"]);
        Assert.Equal(id, query["var-run_id"]);
        Assert.Equal("refunds", query["var-stream"]);
        Assert.Equal(run.GetProperty("startedAt").GetDateTimeOffset().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), query["from"]);
        Assert.Equal(run.GetProperty("endedAt").GetDateTimeOffset().AddMinutes(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), query["to"]);
        await Assertions.Expect(page.Locator("#throughput-chart")).ToHaveCountAsync(0);
        // The browser loaded the frame: the CSP let it through to that origin.
        for (var i = 0; i < 100 && !asked.Any(u => u.AbsolutePath.Contains("/d-solo/opsconsole-throughput/", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
        }
        Assert.Contains(asked, u => u.Query.Contains($"var-run_id={id}", StringComparison.Ordinal));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "run-grafana-panel.png"), FullPage = true });

        await new ShellPageObject(page).OpenAsync("Costs");
        await Assertions.Expect(page.Locator("iframe.grafana-panel[data-place=CostsPerDay]")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("/d-solo/opsconsole-cost/opsconsole\\?orgId=1&panelId=4&"));
        await Assertions.Expect(page.Locator("#cost-days-chart")).ToHaveCountAsync(0);
        grafana.Stop();
    }

    private static string Usd(double value) => OpsConsole.Web.Format.Usd(value);
}
