using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>The console stops and starts again under an open page: the page says so, then works again by itself.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ConsoleRestartsUnderAnOpenPage_TheIndicatorShows_ThenThePageWorksAgainWithoutAManualReload()
    {
        await using var console = await ConsoleServer.StartAsync();
        var (page, _) = await fixture.NewPageAsync(console);
        await new SignInPageObject(page).SignInAsync("operator");
        var indicator = page.Locator("#components-reconnect-modal");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Runs", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(indicator).ToBeHiddenAsync();

        await console.StopAsync();
        await Assertions.Expect(indicator).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(indicator).ToContainTextAsync("Connection to the console lost");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "reconnecting.png") });
        await console.StartAgainAsync();

        // No reload by the test: the page finds the console again (a new circuit, since the old one died with it).
        await Assertions.Expect(indicator).ToBeHiddenAsync(new() { Timeout = 60_000 });
        await new ShellPageObject(page).OpenAsync("Checkpoints");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Checkpoints", Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await new ShellPageObject(page).OpenAsync("Runs");
        await Assertions.Expect(page.Locator("#launch-run")).ToBeEnabledAsync();
    }
}
