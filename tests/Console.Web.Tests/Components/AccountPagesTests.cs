using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Web.Components.Pages.Account;
using OpsConsole.Web.Components.Pages.Admin;

namespace OpsConsole.Web.Tests.Components;

public sealed class AccountPagesTests : ConsoleComponentTest
{
    [Fact]
    public void ApiKeys_CreateInTheDialog_SecretShownOnceWithCopy()
    {
        SignIn("operator", ConsoleRole.Operator);
        var page = RenderPage<ApiKeysPage>();
        Eventually(page, () => Assert.Contains("No API keys", page.Markup, StringComparison.Ordinal));

        page.Find("#new-key").Click();
        Eventually(Dialogs, () => Assert.Single(Dialogs.FindAll("#key-create")));
        Dialogs.Find("input#key-name").Input("nightly");
        Dialogs.Find("#key-create").Click();

        Eventually(page, () =>
        {
            Assert.Equal("opsk_1_secret", page.Find("[aria-label='Secret of the new key']").TextContent);
            Assert.Single(page.FindAll("button[aria-label='Copy the secret']"));
            Assert.Contains("nightly", page.Find(".keys-grid tbody").TextContent, StringComparison.Ordinal);
        });
        Assert.Empty(Dialogs.FindAll("#key-create"));
    }

    [Fact]
    public void ApiKeys_EmptyName_ErrorUnderTheField()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var page = RenderPage<ApiKeysPage>();
        Eventually(page, () => Assert.Single(page.FindAll("#new-key")));

        page.Find("#new-key").Click();
        Eventually(Dialogs, () => Assert.Single(Dialogs.FindAll("#key-create")));
        Dialogs.Find("#key-create").Click();

        Eventually(Dialogs, () => Assert.Equal("Name must be 1 to 100 characters.", Dialogs.Find("#key-form .field-error").TextContent));
        Assert.Empty(page.FindAll("[aria-label='Secret of the new key']"));
    }

    [Fact]
    public async Task ApiKeys_RevokeAsksFirst()
    {
        SignIn("operator", ConsoleRole.Operator);
        await Keys.CreateAsync("operator", new NewApiKey("old script"));
        var page = RenderPage<ApiKeysPage>();

        Eventually(page, () => page.Find("button[aria-label='Revoke old script']").Click());
        Eventually(Dialogs, () => Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click());

        Eventually(page, () => Assert.Contains("No API keys", page.Markup, StringComparison.Ordinal));
        Eventually(Snackbars, () => Assert.Contains("revoked", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Users_LockedUserShowsItsFailures_UnlockClearsThem()
    {
        SignIn("admin", ConsoleRole.Admin);
        Users.Users.Add(new UserSummary("admin", ConsoleRole.Admin, 0, null, FakeRunService.Now));
        Users.Users.Add(new UserSummary("viewer", ConsoleRole.Viewer, 5, FakeRunService.Now.AddMinutes(15), FakeRunService.Now));
        var page = RenderPage<UsersPage>();

        Eventually(page, () => Assert.Contains("2026-11-26 12:15", page.Find(".users-grid tbody").TextContent, StringComparison.Ordinal));
        Assert.Single(page.FindAll("button[aria-label^=Unlock]"));
        page.Find("button[aria-label='Unlock viewer']").Click();

        Eventually(page, () => Assert.Empty(page.FindAll("button[aria-label^=Unlock]")));
        Assert.Equal(["viewer"], Users.Unlocked);
        Eventually(Snackbars, () => Assert.Contains("viewer is unlocked.", Snackbars.Markup, StringComparison.Ordinal));
    }
}
