using Microsoft.Playwright;

namespace OpsConsole.Browser.Tests.Pages;

/// <summary>The API keys page: create a key, see its secret once, revoke it.</summary>
public sealed class ApiKeysPageObject(IPage page)
{
    public ILocator NameBox => page.GetByLabel("New key name");

    public ILocator NewKeyButton => page.GetByRole(AriaRole.Button, new() { Name = "New key…" });

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public ILocator CreateButton => Dialog.GetByRole(AriaRole.Button, new() { Name = "Create key" });

    public ILocator NewSecret => page.GetByLabel("Secret of the new key", new() { Exact = true });

    public ILocator Error => page.GetByRole(AriaRole.Alert);

    public ILocator KeysGrid => page.GetByRole(AriaRole.Table, new() { Name = "Your API keys" });

    public ILocator Row(string keyName) => KeysGrid.GetByRole(AriaRole.Row).Filter(new() { HasText = keyName });

    public async Task CreateAsync(string name)
    {
        await NewKeyButton.ClickAsync();
        await NameBox.FillAsync(name);
        await CreateButton.ClickAsync();
    }

    public async Task RevokeAsync(string keyName)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {keyName}" }).ClickAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
    }
}
