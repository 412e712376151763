using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>An admin resets and restores a checkpoint from the browser; the next run fetches the window the dialog announced.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class CheckpointsTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_ResetsWithTypedConfirmation_RestoresTheOldCursor_AndTheNextRunFetchesTheAnnouncedWindow()
    {
        // No run of charges may be active (other tests launch some); then a known cursor two hours back.
        var charges = await ChargesAsync();
        for (var i = 0; i < 600 && charges.TryGetProperty("activeRunId", out var active) && active.ValueKind == JsonValueKind.String; i++)
        {
            await Task.Delay(100);
            charges = await ChargesAsync();
        }
        var cursor = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        var set = await fixture.ApiAsync(HttpMethod.Put, "/api/checkpoints/stripe/charges", new
        {
            action = "set", cursor = DateTimeOffset.FromUnixTimeSeconds(cursor), expectedVersion = charges.GetProperty("version").GetInt64(),
            confirm = "charges", reason = "browser test: a known cursor", 
        }, "admin");
        var version = set.GetProperty("version").GetInt64();

        var (page, errors) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("admin");
        await new ShellPageObject(page).OpenAsync("Checkpoints");
        await Assertions.Expect(page.Locator(".checkpoint-version[data-stream=charges]")).ToHaveTextAsync($"{version}");

        // Reset: the button stays disabled until the stream's name is typed.
        await page.Locator("#change-charges").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByText("Reset to empty (next run is a full sync)").ClickAsync();
        await Assertions.Expect(dialog.Locator("#preview-proposed")).ToContainTextAsync("empty");
        await dialog.Locator("#checkpoint-reason").FillAsync("browser test: start over");
        await Assertions.Expect(dialog.Locator("#checkpoint-submit")).ToBeDisabledAsync();
        await dialog.Locator("#checkpoint-confirm").FillAsync("charge");
        await Assertions.Expect(dialog.Locator("#checkpoint-submit")).ToBeDisabledAsync();
        await dialog.Locator("#checkpoint-confirm").FillAsync("charges");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "checkpoint-reset.png"), FullPage = true });
        await dialog.Locator("#checkpoint-submit").ClickAsync();

        await Assertions.Expect(page.Locator("#checkpoint-message")).ToContainTextAsync($"version {version + 1}");
        await Assertions.Expect(page.Locator(".checkpoint-cursor[data-stream=charges]")).ToContainTextAsync("empty");
        var history = page.Locator("#checkpoint-history");
        await Assertions.Expect(history).ToContainTextAsync("reset by admin: browser test: start over");

        // Restore the version before the reset: the old cursor comes back, and the dialog says what the next run reads.
        await page.Locator("#change-charges").ClickAsync();
        dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByText("Restore an earlier version").ClickAsync();
        await Assertions.Expect(dialog.Locator("#preview-proposed")).ToContainTextAsync($"({cursor})");
        var window = await dialog.Locator("#preview-window").InnerTextAsync();
        var announcedFrom = long.Parse(UnixInParentheses().Match(window).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(cursor - 600, announcedFrom);
        await dialog.Locator("#checkpoint-reason").FillAsync("browser test: back to before the reset");
        await dialog.Locator("#checkpoint-confirm").FillAsync("charges");
        await dialog.Locator("#checkpoint-submit").ClickAsync();

        await Assertions.Expect(page.Locator(".checkpoint-cursor[data-stream=charges]")).ToContainTextAsync($"({cursor})");
        await Assertions.Expect(page.Locator(".checkpoint-version[data-stream=charges]")).ToHaveTextAsync($"{version + 2}");
        await Assertions.Expect(history).ToContainTextAsync("restore by admin");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "checkpoint-restored.png"), FullPage = true });
        Assert.Empty(errors);

        // The next incremental run reads exactly from the announced start.
        var run = await fixture.ApiAsync(HttpMethod.Post, "/api/runs", new { stream = "charges" }, "operator");
        var id = run.GetProperty("id").GetString();
        for (var i = 0; i < 600 && (await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{id}")).GetProperty("state").GetString() is "Pending" or "Starting" or "Running"; i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal("Succeeded", (await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{id}")).GetProperty("state").GetString());
        var logs = await fixture.ApiAsync(HttpMethod.Get, $"/api/runs/{id}/logs?limit=5000");
        var plan = logs.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("msg").GetString() ?? "").First(m => m.Contains("created in [", StringComparison.Ordinal));
        Assert.Contains($"created in [{announcedFrom}, ", plan, StringComparison.Ordinal);

        // The audit log page shows both changes.
        await new ShellPageObject(page).OpenAsync("Audit");
        await Assertions.Expect(page.Locator("#audit-grid")).ToContainTextAsync("checkpoint.restore");
        await Assertions.Expect(page.Locator("#audit-grid")).ToContainTextAsync("checkpoint.reset");
        // What each change did, field by field: the reset took the cursor to none.
        await Assertions.Expect(page.Locator("#audit-grid .audit-diff li").Filter(new() { HasTextRegex = new Regex(@"^cursor: \d+ → —$") })).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#audit-grid .audit-diff li").Filter(new() { HasTextRegex = new Regex(@"^cursor: — → \d+$") })).Not.ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "audit.png"), FullPage = true });
    }

    [GeneratedRegex(@"\((\d+)\)")]
    private static partial Regex UnixInParentheses();

    private async Task<JsonElement> ChargesAsync() =>
        (await fixture.ApiAsync(HttpMethod.Get, "/api/checkpoints")).EnumerateArray().Single(c => c.GetProperty("stream").GetString() == "charges");
}
