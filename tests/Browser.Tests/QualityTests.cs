using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>Two real runs of customers against a Sandbox with some bad data: the Quality page, the runs list's badge and the run's quality tab.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QualityTests(BrowserFixture fixture)
{
    [Fact]
    public async Task QualityPage_ShowsTheFailingRuleAndItsTrend_AndTheRunShowsItsQuality()
    {
        var first = await fixture.RunToTheEndAsync("customers");
        var second = await fixture.RunToTheEndAsync("customers");
        Assert.Equal("Succeeded", (await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{first}")).GetProperty("state").GetString());
        Assert.Equal("failed", (await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{second}")).GetProperty("quality").GetString());

        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");
        await new ShellPageObject(page).OpenAsync("Quality");
        var customers = page.Locator(".dq-stream[data-stream=customers]");
        await customers.ClickAsync();
        await Assertions.Expect(customers).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(customers.Locator(".dq-failing").GetByText("unique_id")).ToBeVisibleAsync();

        // The rule's trend: a point for each of the two runs, and the chart.
        await page.Locator(".dq-rule[data-rule=unique_id] button").ClickAsync();
        await Assertions.Expect(page.Locator(".dq-trend h2")).ToContainTextAsync("unique_id over the last");
        await Assertions.Expect(page.Locator($".dq-trend-row[data-run='{first}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($".dq-trend-row[data-run='{second}']")).ToContainTextAsync("failed");
        await Assertions.Expect(page.Locator("#dq-trend-chart svg").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "quality-page.png"), FullPage = true });

        // The runs list carries the badge; it opens the run's data-quality tab.
        await new ShellPageObject(page).OpenAsync("Runs");
        var badge = page.Locator($".runs-grid a[href='/runs/{second}#quality']");
        await Assertions.Expect(badge).ToHaveTextAsync("failed");
        await badge.ClickAsync();
        await Assertions.Expect(page.Locator("#run-quality")).ToHaveTextAsync("failed");
        await Assertions.Expect(page.Locator(".dq-rule[data-rule=unique_id]")).ToHaveAttributeAsync("data-outcome", "failed");
        // Succeeded beside a failed quality badge says why: the failing rules are not blocking.
        await Assertions.Expect(page.Locator("#quality-note")).ToContainTextAsync("none of them is blocking");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "run-quality.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task SuggestRules_ProfilesTheTable_AndShowsTheProposalNextToTheCurrentRules()
    {
        await fixture.RunToTheEndAsync("refunds");

        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("admin");
        await new ShellPageObject(page).OpenAsync("Quality");
        await page.Locator(".dq-stream[data-stream=refunds]").ClickAsync();
        await Assertions.Expect(page.Locator("#rules-origin")).ToContainTextAsync("Its runs judge the built-in rules");
        await page.Locator("#suggest-rules").ClickAsync();

        // The job's own `rules suggest` profiles the table; its proposal sits beside the current rules, editable by an admin.
        await Assertions.Expect(page.Locator("#rules-draft")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^# Rules suggested for stripe/refunds from its table"),
            new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#rules-current")).ToContainTextAsync("rules:");
        await Assertions.Expect(page.Locator(".rules-compare h3").Last).ToContainTextAsync("Suggested:");
        await Assertions.Expect(page.Locator("#save-rules")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "rules-suggestion.png"), FullPage = true });

        // Discarded, nothing is saved: the runs keep the built-in rules.
        await page.Locator("#discard-suggestion").ClickAsync();
        await Assertions.Expect(page.Locator(".rules-compare")).ToHaveCountAsync(0);
        Assert.True((await fixture.ApiAsync(HttpMethod.Get, "/api/quality/stripe/refunds/rules-file")).GetProperty("builtIn").GetBoolean());
        Assert.Empty(errors);
    }
}
