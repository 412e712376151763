using OpsConsole.Shared.Auth;

namespace OpsConsole.Shared.Tests;

public sealed class ConsolePoliciesTests
{
    [Theory]
    [InlineData(ConsolePolicies.Viewer, ConsoleRole.Viewer, true)]
    [InlineData(ConsolePolicies.Viewer, ConsoleRole.Operator, true)]
    [InlineData(ConsolePolicies.Viewer, ConsoleRole.Admin, true)]
    [InlineData(ConsolePolicies.Operator, ConsoleRole.Viewer, false)]
    [InlineData(ConsolePolicies.Operator, ConsoleRole.Operator, true)]
    [InlineData(ConsolePolicies.Operator, ConsoleRole.Admin, true)]
    [InlineData(ConsolePolicies.Admin, ConsoleRole.Viewer, false)]
    [InlineData(ConsolePolicies.Admin, ConsoleRole.Operator, false)]
    [InlineData(ConsolePolicies.Admin, ConsoleRole.Admin, true)]
    public void Allows_RoleAgainstPolicy_MatchesTheRoleLadder(string policy, ConsoleRole role, bool expected) =>
        Assert.Equal(expected, ConsolePolicies.Allows(policy, role));

    [Fact]
    public void RolesFor_UnknownPolicy_Throws() =>
        Assert.Throws<ArgumentException>(() => ConsolePolicies.RolesFor("Superuser"));
}
