using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>An operator writes a schedule in the browser: the next fire times follow the expression as it is typed, then pause, resume and delete.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class SchedulesTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Operator_TypesAnExpression_SeesTheNextFireTimesAndANamedError_CreatesPausesResumesAndDeletes()
    {
        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("operator");
        await new ShellPageObject(page).OpenAsync("Schedules");
        await Assertions.Expect(new ShellPageObject(page).Heading).ToHaveTextAsync("Schedules");

        await page.Locator("#schedule-new").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.Locator("#schedule-preview li")).ToHaveCountAsync(5);
        await dialog.Locator("input#schedule-name").FillAsync("browser-weekdays");
        var cron = dialog.Locator("input#schedule-cron");
        await cron.FillAsync("0 25 * * *");
        await Assertions.Expect(dialog.Locator(".field-error")).ToContainTextAsync("field 2 (hour) at position 3: '25'");
        await Assertions.Expect(dialog.Locator("#schedule-preview li")).ToHaveCountAsync(0);
        // Weekdays at 06:00 in New York: every fire time shown is a weekday at 06:00 there.
        await cron.FillAsync("0 6 * * 1-5");
        var zone = dialog.Locator("input#schedule-zone");
        await zone.FillAsync("New_York");
        await page.GetByRole(AriaRole.Option, new() { Name = "America/New_York" }).ClickAsync();
        await Assertions.Expect(dialog.Locator("#schedule-preview li").First).ToContainTextAsync("06:00 America/New_York");
        var fires = await dialog.Locator("#schedule-preview li").AllInnerTextsAsync();
        Assert.Equal(5, fires.Count);
        Assert.All(fires, fire => Assert.Matches(WeekdaySix(), fire));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "schedule-dialog.png"), FullPage = true });
        await dialog.Locator("#schedule-submit").ClickAsync();

        var row = page.Locator("tr[data-schedule=browser-weekdays]");
        await Assertions.Expect(row).ToContainTextAsync("0 6 * * 1-5");
        await Assertions.Expect(row).ToContainTextAsync("America/New_York");
        await Assertions.Expect(page.Locator("#schedules-message")).ToContainTextAsync("browser-weekdays created: next fire");
        var schedule = await fixture.ApiAsync(HttpMethod.Get, "/api/schedules/browser-weekdays");
        Assert.Equal("operator", schedule.GetProperty("createdBy").GetString());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "schedules.png"), FullPage = true });

        await page.Locator("#schedule-toggle-browser-weekdays").ClickAsync();
        await Assertions.Expect(row.Locator(".schedule-next")).ToHaveTextAsync("paused");
        await page.Locator("#schedule-toggle-browser-weekdays").ClickAsync();
        await Assertions.Expect(row.Locator(".schedule-next")).Not.ToHaveTextAsync("paused");

        await page.Locator("#schedule-delete-browser-weekdays").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        var audit = await fixture.ApiAsync(HttpMethod.Get, "/api/audit?limit=50", user: "admin");
        var actions = audit.EnumerateArray().Where(e => e.GetProperty("target").GetString() == "browser-weekdays").Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["schedule.delete", "schedule.resume", "schedule.pause", "schedule.create"], actions);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Viewer_SeesSchedulesButCannotChangeThem()
    {
        var (page, _) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");
        await page.GotoAsync("/schedules");
        await Assertions.Expect(new ShellPageObject(page).Heading).ToHaveTextAsync("Schedules");
        await Assertions.Expect(page.Locator("#schedule-new")).ToHaveCountAsync(0);
    }

    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri) \d{4}-\d{2}-\d{2} 06:00 America/New_York")]
    private static partial Regex WeekdaySix();
}
