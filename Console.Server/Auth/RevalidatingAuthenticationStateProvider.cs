using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Auth;

/// <summary>
/// Re-checks an open UI session's user every <see cref="AuthOptions.RevalidateSeconds"/>: a deleted user,
/// a changed role or a changed password ends the session.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopes,
    IOptions<AuthOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(options.Value.RevalidateSeconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        if (principal.Identity?.Name is not { } name)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserStore>().FindAsync(name, cancellationToken);
        return user is not null &&
            user.SecurityStamp == principal.FindFirstValue(ConsoleClaims.SecurityStamp) &&
            user.Role.ToString() == principal.FindFirstValue(ClaimTypes.Role);
    }
}
