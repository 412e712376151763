using System.Security.Claims;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>The one place a signed-in user's claims are built and read.</summary>
public static class ConsoleClaims
{
    public const string SecurityStamp = "opsconsole:stamp";

    public static ClaimsPrincipal Principal(StoredUser user, string authenticationType) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.Name),
                new Claim(ClaimTypes.Role, user.Role.ToString()),
                new Claim(SecurityStamp, user.SecurityStamp),
            ],
            authenticationType, ClaimTypes.Name, ClaimTypes.Role));

    public static CallerInfo? Caller(ClaimsPrincipal principal) =>
        ConsoleIdentity.Caller(principal, principal.Identity?.AuthenticationType switch
        {
            AuthSchemes.Basic => "basic",
            AuthSchemes.ApiKey => "api-key",
            _ => "cookie",
        });
}
