using Microsoft.Playwright;

namespace OpsConsole.Browser.Tests.Pages;

/// <summary>The runs list with its launch dialog, and one run's page with its log viewer.</summary>
public sealed class RunPageObject(IPage page)
{
    public ILocator LaunchButton => page.Locator("#launch-run");

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public ILocator SubmitLaunch => page.Locator("#launch-submit");

    public ILocator Workers => page.Locator("#launch-workers input, input#launch-workers").First;

    public ILocator FieldErrors => Dialog.Locator(".field-error");

    public ILocator State => page.Locator("#run-state");

    public ILocator CancelButton => page.Locator("#cancel-run");

    public ILocator CancellingBanner => page.Locator("#cancelling-banner");

    public ILocator Records => page.Locator("#run-records");

    public ILocator LogRows => page.Locator("#log-viewer .lv-row");

    public ILocator LogConnection => page.Locator("#log-viewer .lv-conn");

    public ILocator Grid => page.Locator(".runs-grid");

    /// <summary>Opens the launch dialog, picks the mode, launches, and waits for the run's page.</summary>
    public async Task<string> LaunchAsync(string mode)
    {
        await LaunchButton.ClickAsync();
        await Dialog.GetByText(mode == "full" ? "Full (everything)" : "Incremental (from the checkpoint)").ClickAsync();
        await SubmitLaunch.ClickAsync();
        try
        {
            // Generous: on a loaded 2-core machine the launch (a job process started) can take a while. The console
            // navigates within the page (no new document), so only the address is waited for, not a load event.
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/run-"), new() { Timeout = 45_000 });
        }
        catch (PlaywrightException exception)
        {
            // Say what the user saw instead of the run's page: the dialog's text (a field error, a busy stream) or the page.
            var shown = await Dialog.CountAsync() > 0 ? await Dialog.InnerTextAsync() : await page.InnerTextAsync("body");
            throw new TimeoutException($"No run page 45 s after Launch (the address is {page.Url}); the page showed: {shown}", exception);
        }
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }

    public async Task ConfirmAsync(string button) => await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
}
