using Microsoft.Playwright;

namespace OpsConsole.Browser.Tests.Pages;

/// <summary>The console's frame: header with the signed-in user, main navigation, sign-out.</summary>
public sealed class ShellPageObject(IPage page)
{
    private ILocator Header => page.GetByRole(AriaRole.Banner);

    public ILocator UserName => Header.GetByLabel("Signed-in user");

    public ILocator RoleBadge => Header.GetByTitle("Your role");

    public ILocator Navigation => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public async Task<IReadOnlyList<string>> NavigationLinksAsync() =>
        [.. (await Navigation.GetByRole(AriaRole.Link).AllInnerTextsAsync()).Select(text => text.Trim().Split('\n')[^1].Trim())];

    public async Task OpenAsync(string linkText) =>
        await Navigation.GetByRole(AriaRole.Link, new() { Name = linkText, Exact = true }).ClickAsync();

    public async Task SignOutAsync() => await Header.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
}
