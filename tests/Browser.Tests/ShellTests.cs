using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed partial class ShellTests(BrowserFixture fixture)
{
    private static readonly string[] PipelinePages = ["Runs", "Schedules", "Checkpoints", "Quality", "Tables", "Costs", "Audit", "API keys"];

    [Theory]
    [InlineData("viewer", "Viewer", false)]
    [InlineData("operator", "Operator", false)]
    [InlineData("admin", "Admin", true)]
    public async Task SignIn_DemoUser_SeesNavigationItsRoleAllows(string user, string role, bool seesUsers)
    {
        var (page, errors) = await fixture.NewPageAsync();

        var shell = await new SignInPageObject(page).SignInAsync(user);

        await Assertions.Expect(shell.RoleBadge).ToHaveTextAsync(role);
        await Assertions.Expect(shell.Heading).ToHaveTextAsync("Runs");
        var links = await shell.NavigationLinksAsync();
        Assert.Equal(seesUsers ? [.. PipelinePages, "Users"] : PipelinePages, links);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"runs-{user}.png") });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsErrorAndStaysOnSignIn()
    {
        var (page, _) = await fixture.NewPageAsync();
        var signIn = new SignInPageObject(page);
        await signIn.GotoAsync();

        await signIn.SubmitAsync("viewer", "not-the-password");

        await Assertions.Expect(signIn.Alert).ToHaveTextAsync("Wrong user name or password.");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await Assertions.Expect(signIn.Password).ToHaveValueAsync("");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "signin-wrong-password.png") });
        Assert.DoesNotContain("not-the-password", fixture.Server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_EmptyFields_ShowsWhatIsMissing()
    {
        var (page, _) = await fixture.NewPageAsync();
        var signIn = new SignInPageObject(page);
        await signIn.GotoAsync();

        await signIn.SubmitButton.ClickAsync();

        await Assertions.Expect(page.GetByText("Enter your user name.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Enter your password.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task UnknownAddress_GivesThe404PageWithAWayBack()
    {
        var (page, _) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");

        var response = await page.GotoAsync("/no-such-page");

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to Runs" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Runs", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignOut_SignedIn_EndsTheSession()
    {
        var (page, _) = await fixture.NewPageAsync();
        var shell = await new SignInPageObject(page).SignInAsync("operator");

        await shell.SignOutAsync();

        var signIn = new SignInPageObject(page);
        await Assertions.Expect(signIn.Status).ToHaveTextAsync("You have signed out.");
        await page.GotoAsync("/checkpoints");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
    }

    [Fact]
    public async Task ProtectedPage_Anonymous_SignsInAndReturnsThere()
    {
        var (page, _) = await fixture.NewPageAsync();

        await page.GotoAsync("/quality");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await new SignInPageObject(page).SubmitAsync("viewer", ConsoleServer.Passwords["viewer"]);

        await Assertions.Expect(new ShellPageObject(page).Heading).ToHaveTextAsync("Data quality");
        Assert.EndsWith("/quality", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Navigation_EachPage_ShowsItsContentOrEmptyStateWithoutErrors()
    {
        var (page, errors) = await fixture.NewPageAsync();
        var shell = await new SignInPageObject(page).SignInAsync("admin");
        ILocator Empty(string title) => page.GetByRole(AriaRole.Heading, new() { Name = title });

        foreach (var (link, heading, content) in new[]
        {
            // Every stream has a checkpoint row, synced or not.
            ("Checkpoints", "Checkpoints", page.Locator(".checkpoints-grid").GetByText("stripe/refunds")),
            // Other tests may have created schedules.
            ("Schedules", "Schedules", Empty("No schedules yet").Or(page.Locator(".schedules-grid"))),
            ("Quality", "Data quality", Empty("No quality results yet").Or(page.Locator(".dq-streams"))),
            ("Costs", "Costs", page.Locator("#cost-month-to-date")),
            // Every stream has a table row, written or not.
            ("Tables", "Tables", page.Locator(".tables-grid").GetByRole(AriaRole.Link, new() { Name = "stripe/refunds" })),
            // Other tests may have launched runs or changed checkpoints already.
            ("Audit", "Audit log", page.Locator("#audit-grid")),
            ("Runs", "Runs", page.Locator(".runs-grid")),
        })
        {
            await shell.OpenAsync(link);
            await Assertions.Expect(shell.Heading).ToHaveTextAsync(heading);
            await Assertions.Expect(content).ToBeVisibleAsync();
        }

        Assert.Empty(errors);
    }

    [Fact]
    public async Task UsersPage_Viewer_IsNotAllowed()
    {
        var (page, _) = await fixture.NewPageAsync();
        await new SignInPageObject(page).SignInAsync("viewer");

        await page.GotoAsync("/admin/users");

        await Assertions.Expect(new ShellPageObject(page).Heading).ToHaveTextAsync("Not allowed");
        await Assertions.Expect(page.GetByText("You are signed in as viewer (Viewer)")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task UsersPage_Admin_ListsTheDemoUsers()
    {
        var (page, _) = await fixture.NewPageAsync();
        var shell = await new SignInPageObject(page).SignInAsync("admin");

        await shell.OpenAsync("Users");

        var grid = page.GetByRole(AriaRole.Table, new() { Name = "Users" });
        foreach (var user in new[] { "admin", "operator", "viewer" })
        {
            await Assertions.Expect(grid.GetByRole(AriaRole.Cell, new() { Name = user, Exact = true })).ToBeVisibleAsync();
        }
    }

    private static Regex SignInUrl() => SignInUrlPattern();

    [GeneratedRegex("/signin(\\?|$)")]
    private static partial Regex SignInUrlPattern();
}
