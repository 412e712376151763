using System.Security.Claims;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Shared.Tests;

public sealed class ConsoleIdentityTests
{
    [Fact]
    public void RoleOf_SignedInWithRole_ReturnsRole()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "Operator")], "test"));
        Assert.Equal(ConsoleRole.Operator, ConsoleIdentity.RoleOf(principal));
    }

    [Fact]
    public void RoleOf_Anonymous_ReturnsNull()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "Admin")]));
        Assert.Null(ConsoleIdentity.RoleOf(principal));
    }

    [Fact]
    public void RoleOf_UnknownRole_ReturnsNull()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "Root")], "test"));
        Assert.Null(ConsoleIdentity.RoleOf(principal));
    }
}
