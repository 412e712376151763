using System.Text.Json;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>
/// Every page as a user sees it at 1280 px in the light and the dark theme (the system's colour scheme, which the console
/// follows) and at 390 px: axe-core finds no serious or critical accessibility violation, nothing overflows sideways, and
/// a screenshot of each is saved for a person to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LookAndAccessibilityTests(BrowserFixture fixture)
{
    private static readonly string AxeScript = Path.Combine(OpsConsole.TestSupport.RepoPaths.Root, "tests", "tools", "node_modules", "axe-core", "axe.min.js");

    [Theory]
    [InlineData(1280, "light")]
    [InlineData(1280, "dark")]
    [InlineData(390, "light")]
    public async Task EveryPage_NoSeriousAccessibilityViolation_NoSidewaysOverflow(int width, string scheme)
    {
        var run = await fixture.RunToTheEndAsync("customers");
        var (page, errors) = await fixture.NewPageAsync(options: new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            // axe is injected as an inline script, which the console's Content-Security-Policy rightly refuses.
            BypassCSP = true,
        });
        var findings = new List<string>();
        // A schedule to show (yearly, so it does not fire while the tests run); deleted at the end.
        var schedule = $"look-{width}-{scheme}";
        await fixture.ApiAsync(HttpMethod.Post, "/api/schedules", new { name = schedule, stream = "refunds", cron = "0 3 1 1 *", timeZone = "Europe/Berlin", overlap = "queue", jitterSeconds = 30 }, "operator");

        await new SignInPageObject(page).GotoAsync();
        await CheckAsync(page, "signin", width, scheme, findings);
        await new SignInPageObject(page).SignInAsync("admin");
        await Assertions.Expect(page.Locator(scheme == "dark" ? ".ops-dark" : ".ops-light")).ToHaveCountAsync(1);

        foreach (var (name, path, ready) in new (string, string, string)[]
        {
            ("runs", "/runs", ".runs-grid tbody tr"),
            ("run", $"/runs/{run}", "#run-state"),
            ("checkpoints", "/checkpoints", ".checkpoint-version"),
            ("schedules", "/schedules", ".schedules-grid tbody tr"),
            ("quality", "/quality", ".dq-streams"),
            ("costs", "/costs", "#cost-month-to-date"),
            ("audit", "/audit", "#audit-grid tbody tr"),
            ("api-keys", "/account/api-keys", "#new-key"),
            ("users", "/admin/users", ".users-grid tbody tr"),
            ("tables", "/tables", ".tables-grid tbody tr"),
            ("table", "/tables/stripe/customers", "#table-version"),
        })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator(ready).First).ToBeVisibleAsync();
            await CheckAsync(page, name, width, scheme, findings);
        }

        // The dialogs, open.
        await page.GotoAsync("/runs");
        await page.Locator("#launch-run").ClickAsync();
        await Assertions.Expect(page.Locator("#launch-submit")).ToBeVisibleAsync();
        await CheckAsync(page, "launch-dialog", width, scheme, findings);
        await page.GotoAsync("/checkpoints");
        await page.Locator("#change-charges").ClickAsync();
        await Assertions.Expect(page.Locator("#checkpoint-submit")).ToBeVisibleAsync();
        await CheckAsync(page, "checkpoint-dialog", width, scheme, findings);
        await page.GotoAsync("/tables/stripe/customers");
        await page.Locator("#table-vacuum").ClickAsync();
        await page.Locator("#maintenance-preview").ClickAsync();
        await Assertions.Expect(page.Locator("#maintenance-preview-result")).ToBeVisibleAsync();
        await CheckAsync(page, "vacuum-dialog", width, scheme, findings);
        await page.GotoAsync("/schedules");
        await page.Locator($"#schedule-edit-{schedule}").ClickAsync();
        await Assertions.Expect(page.Locator("#schedule-preview li")).ToHaveCountAsync(5);
        await CheckAsync(page, "schedule-dialog", width, scheme, findings);
        await page.GotoAsync("/account/api-keys");
        await page.Locator("#new-key").ClickAsync();
        await Assertions.Expect(page.Locator("#key-create")).ToBeVisibleAsync();
        await CheckAsync(page, "key-dialog", width, scheme, findings);

        await fixture.ApiAsync(HttpMethod.Delete, $"/api/schedules/{schedule}", user: "operator");
        Assert.True(findings.Count == 0, string.Join("\n", findings));
        Assert.Empty(errors);
    }

    /// <summary>Runs axe on the page as it is, checks for sideways overflow, and saves a screenshot.</summary>
    private static async Task CheckAsync(IPage page, string name, int width, string scheme, List<string> findings)
    {
        // Let MudBlazor's transitions (dialogs, ripples) finish, so colours are read as they end up.
        await page.WaitForTimeoutAsync(400);
        if (await page.EvaluateAsync<bool>("() => typeof window.axe === 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxeScript });
        }
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`)
            """);
        findings.AddRange(violations.EnumerateArray().Select(v => $"{name} {width} {scheme}: {v.GetString()}"));
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow > 0)
        {
            findings.Add($"{name} {width} {scheme}: the page is {overflow} px wider than the window");
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"{name}-{width}-{scheme}.png"), FullPage = true });
    }
}
