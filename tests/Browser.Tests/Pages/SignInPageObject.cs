using Microsoft.Playwright;

namespace OpsConsole.Browser.Tests.Pages;

/// <summary>The sign-in page, located by labels and roles as a user sees it.</summary>
public sealed class SignInPageObject(IPage page)
{
    public ILocator UserName => page.GetByLabel("User name");

    public ILocator Password => page.GetByLabel("Password");

    public ILocator SubmitButton => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });

    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public ILocator Status => page.GetByRole(AriaRole.Status);

    public async Task GotoAsync() => await page.GotoAsync("/signin");

    public async Task SubmitAsync(string user, string password)
    {
        await UserName.FillAsync(user);
        await Password.FillAsync(password);
        await SubmitButton.ClickAsync();
    }

    /// <summary>
    /// Signs in from the sign-in page and waits for the console shell; a console started moments ago, on a box busy with
    /// other test assemblies, can take well over Playwright's default 5 s to render its first page.
    /// </summary>
    public async Task<ShellPageObject> SignInAsync(string user)
    {
        await GotoAsync();
        await SubmitAsync(user, ConsoleServer.Passwords[user]);
        var shell = new ShellPageObject(page);
        await Assertions.Expect(shell.UserName).ToHaveTextAsync(user, new() { Timeout = 30_000 });
        return shell;
    }
}
