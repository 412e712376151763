using System.Text.Json;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>Runs from the browser: launch against the embedded Sandbox, watch the log arrive, cancel; what a viewer may not do.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RunsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Operator_LaunchesWatchesLinesArriveAndCancels_SeesCancelled()
    {
        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("operator");
        var runs = new RunPageObject(page);

        var id = await runs.LaunchAsync("full");

        await Assertions.Expect(runs.LogConnection).ToHaveAttributeAsync("data-state", "connected");
        // The viewer speaks the hub's MessagePack protocol (smaller than JSON, a line's text unescaped).
        await Assertions.Expect(runs.LogConnection).ToHaveAttributeAsync("data-protocol", "messagepack");
        await Assertions.Expect(runs.LogRows.First).ToBeVisibleAsync();
        await Assertions.Expect(runs.State).ToHaveTextAsync("Running", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "run-running.png"), FullPage = true });
        await runs.CancelButton.ClickAsync();
        await runs.ConfirmAsync("Cancel the run");

        await Assertions.Expect(runs.State).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(Cancelling|Cancelled)"));
        await Assertions.Expect(runs.State).ToHaveTextAsync("Cancelled", new() { Timeout = 40_000 });
        await Assertions.Expect(runs.CancelButton).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#log-viewer .lv-status")).ToContainTextAsync("finished");
        await Assertions.Expect(page.Locator("#log-viewer .lv-conn")).ToHaveTextAsync("complete");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "run-cancelled.png"), FullPage = true });
        var run = await ApiAsync($"/api/runs/{id}");
        Assert.Equal("Cancelled", run.GetProperty("state").GetString());
        Assert.Equal("operator", run.GetProperty("cancelledBy").GetString());
        Assert.Empty(errors);

        // The list shows it too.
        await new ShellPageObject(page).OpenAsync("Runs");
        await Assertions.Expect(runs.Grid.GetByRole(AriaRole.Link, new() { Name = id })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task LaunchDialog_InvalidWorkers_ShowsTheFieldErrorInline()
    {
        var (page, _) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("operator");
        var runs = new RunPageObject(page);

        await runs.LaunchButton.ClickAsync();
        await runs.Workers.FillAsync("0");
        await runs.Workers.PressAsync("Tab");
        await runs.SubmitLaunch.ClickAsync();

        await Assertions.Expect(runs.FieldErrors).ToHaveTextAsync("must be between 1 and 64 (got 0).");
        await Assertions.Expect(runs.Dialog).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "launch-invalid.png") });
    }

    [Fact]
    public async Task Viewer_SeesRunsButNoLaunchOrCancel()
    {
        var launched = await ApiAsync("/api/runs", new { stream = "customers", mode = "full" }, "operator");
        var id = launched.GetProperty("id").GetString()!;
        var (page, _) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");
        var runs = new RunPageObject(page);

        await Assertions.Expect(runs.Grid.GetByRole(AriaRole.Link, new() { Name = id })).ToBeVisibleAsync();
        await Assertions.Expect(runs.LaunchButton).ToHaveCountAsync(0);
        await runs.Grid.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Assertions.Expect(runs.State).ToBeVisibleAsync();
        await Assertions.Expect(runs.LogRows.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(runs.CancelButton).ToHaveCountAsync(0);

        await fixture.CancelIfActiveAsync(id);
    }

    [Fact]
    public async Task LogViewer_LongLog_StopsFollowingWhenScrolledUp_JumpToLatestAndFiltersWork()
    {
        var launched = await ApiAsync("/api/runs", new { stream = "refunds", mode = "full", workers = 2 }, "operator");
        var id = launched.GetProperty("id").GetString()!;
        for (var i = 0; i < 240 && (await ApiAsync($"/api/runs/{id}")).GetProperty("state").GetString() is "Pending" or "Starting" or "Running"; i++)
        {
            await Task.Delay(250);
        }
        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");
        await page.GotoAsync($"/runs/{id}");
        var viewport = page.Locator("#log-viewer .lv-viewport");
        var paused = page.Locator("#log-viewer .lv-paused");
        await Assertions.Expect(page.Locator("#log-viewer .lv-status")).ToContainTextAsync("finished", new() { Timeout = 30_000 });
        Assert.True(await viewport.EvaluateAsync<bool>("el => el.scrollHeight > el.clientHeight * 2"), "the log should be longer than two screens");
        Assert.True(await viewport.EvaluateAsync<bool>("el => el.scrollHeight - el.scrollTop - el.clientHeight < 4"), "the viewer should follow the tail");

        await viewport.HoverAsync();
        await page.Mouse.WheelAsync(0, -2000);

        await Assertions.Expect(paused).ToBeVisibleAsync();
        var top = await viewport.EvaluateAsync<double>("el => el.scrollTop");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "log-paused.png"), FullPage = true });
        await page.Locator("#log-viewer .lv-jump").ClickAsync();
        await Assertions.Expect(paused).ToBeHiddenAsync();
        Assert.True(await viewport.EvaluateAsync<double>("el => el.scrollTop") > top);

        var total = await page.Locator("#log-viewer .lv-count").InnerTextAsync();
        await page.Locator("#log-viewer .lv-source").SelectOptionAsync("driver");
        await Assertions.Expect(page.Locator("#log-viewer .lv-count")).ToContainTextAsync(" of ");
        Assert.All(await page.Locator("#log-viewer .lv-row").AllInnerTextsAsync(), row => Assert.Contains("driver", row, StringComparison.Ordinal));
        await page.Locator("#log-viewer .lv-search").FillAsync("Committed table version");
        await Assertions.Expect(page.Locator("#log-viewer .lv-row mark").First).ToHaveTextAsync("Committed table version");
        Assert.NotEqual(total, await page.Locator("#log-viewer .lv-count").InnerTextAsync());
        Assert.Empty(errors);
    }

    private Task<JsonElement> ApiAsync(string path, object? body = null, string user = "viewer") =>
        fixture.ApiAsync(body is null ? HttpMethod.Get : HttpMethod.Post, path, body, user);
}
