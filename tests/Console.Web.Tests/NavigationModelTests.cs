using OpsConsole.Shared.Auth;
using OpsConsole.Web.Navigation;

namespace OpsConsole.Web.Tests;

public sealed class NavigationModelTests
{
    private static string[] Titles(ConsoleRole role) => [.. NavigationModel.For(role).SelectMany(group => group).Select(item => item.Title)];

    [Theory]
    [InlineData(ConsoleRole.Viewer)]
    [InlineData(ConsoleRole.Operator)]
    [InlineData(ConsoleRole.Admin)]
    public void For_AnyRole_ListsEveryPipelinePage(ConsoleRole role) =>
        Assert.Equal(["Runs", "Schedules", "Checkpoints", "Quality", "Tables", "Costs", "Audit", "API keys"], Titles(role).Where(t => t != "Users"));

    [Theory]
    [InlineData(ConsoleRole.Viewer, false)]
    [InlineData(ConsoleRole.Operator, false)]
    [InlineData(ConsoleRole.Admin, true)]
    public void For_Role_ShowsUsersOnlyToAdmins(ConsoleRole role, bool expected) =>
        Assert.Equal(expected, Titles(role).Contains("Users"));

    [Fact]
    public void For_Admin_GroupsInDisplayOrder() =>
        Assert.Equal(
            [NavigationModel.Pipeline, NavigationModel.Account, NavigationModel.Administration],
            NavigationModel.For(ConsoleRole.Admin).Select(group => group.Key));
}
