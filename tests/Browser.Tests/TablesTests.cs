using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>The Tables page after a real run: the table's figures, its history linking the run, its rows through DuckDB, and an admin's vacuum dry run.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TablesTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AfterARun_TheTableShowsItsRowsAndHistory_AndAnAdminDryRunsAVacuum()
    {
        var id = await fixture.RunToTheEndAsync("refunds");
        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("admin");

        await new ShellPageObject(page).OpenAsync("Tables");
        var row = page.Locator(".tables-grid tr[data-stream=refunds]");
        await Assertions.Expect(row.Locator(".table-version")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "tables-page.png"), FullPage = true });

        await row.GetByRole(AriaRole.Link, new() { Name = "stripe/refunds" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "stripe/refunds", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".partitions-grid tbody tr").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await Assertions.Expect(page.Locator($".history-grid a.run-id[href='/runs/{id}']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "table-history.png"), FullPage = true });

        await page.GetByRole(AriaRole.Tab, new() { Name = "Preview" }).ClickAsync();
        await page.Locator("#preview-show").ClickAsync();
        await Assertions.Expect(page.Locator(".preview-grid tbody tr")).ToHaveCountAsync(100);
        await Assertions.Expect(page.Locator("#preview-summary")).ToContainTextAsync("100 rows of version");
        await Assertions.Expect(page.Locator("#preview-show")).ToBeEnabledAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "table-preview.png") });

        await page.Locator("#table-vacuum").ClickAsync();
        await page.Locator("#maintenance-preview").ClickAsync();
        await Assertions.Expect(page.Locator("#maintenance-preview-result")).ToContainTextAsync("would delete 0 files");
        await Assertions.Expect(page.Locator("#maintenance-submit")).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "table-vacuum-dry-run.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
