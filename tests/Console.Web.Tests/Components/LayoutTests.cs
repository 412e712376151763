using Bunit;
using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Auth;
using OpsConsole.Web.Components.Layout;
using OpsConsole.Web.Components.Pages;

namespace OpsConsole.Web.Tests.Components;

public sealed class LayoutTests : ConsoleComponentTest
{
    [Theory]
    [InlineData(ConsoleRole.Viewer, false)]
    [InlineData(ConsoleRole.Operator, false)]
    [InlineData(ConsoleRole.Admin, true)]
    public void Shell_UserRoleSignOut_AndTheLinksTheRoleMayOpen(ConsoleRole role, bool seesUsers)
    {
        SignIn("someone", role);

        var layout = RenderLayout();

        Assert.Equal("someone", layout.Find(".user-name").TextContent);
        Assert.Equal(role.ToString(), layout.Find(".role-badge").TextContent);
        Assert.Equal("Sign out", layout.Find("form[action='account/signout'] button[type=submit]").TextContent.Trim());
        var links = layout.FindAll("nav[aria-label=Main] a").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(seesUsers, links.Contains("Users"));
        Assert.Contains("Runs", links);
        Assert.Equal("<p id='body'>page</p>", layout.Find("#main").InnerHtml.Trim().Replace('"', '\''));
    }

    [Fact]
    public void ThemeToggle_SwitchesToDarkAndBack()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var layout = RenderLayout();
        Assert.Single(layout.FindAll(".ops-light"));

        layout.Find("#theme-toggle").Click();

        Eventually(layout, () => Assert.Single(layout.FindAll(".ops-dark")));
        Assert.Equal("Use the light theme", layout.Find("#theme-toggle").GetAttribute("aria-label"));
        layout.Find("#theme-toggle").Click();
        Eventually(layout, () => Assert.Single(layout.FindAll(".ops-light")));
    }

    [Fact]
    public void MenuButton_TogglesTheDrawer()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var layout = RenderLayout();
        var before = layout.Find(".ops-menu-button").GetAttribute("aria-expanded");

        layout.Find(".ops-menu-button").Click();

        Eventually(layout, () => Assert.NotEqual(before, layout.Find(".ops-menu-button").GetAttribute("aria-expanded")));
    }

    [Fact]
    public void NotFound_SaysSoAndLinksRuns()
    {
        var page = Context.Render<NotFoundPage>();

        Assert.Equal("Page not found", page.Find("h1").TextContent);
        Assert.Equal("/runs", page.Find("a").GetAttribute("href"));
    }

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Context.Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='body'>page</p>"))));
}
