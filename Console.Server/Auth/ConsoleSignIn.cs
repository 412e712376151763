using Microsoft.AspNetCore.Authentication;
using OpsConsole.Web.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>The sign-in page's credential check and cookie sign-in.</summary>
internal sealed class ConsoleSignIn(CredentialValidator validator) : IConsoleSignIn
{
    public async Task<SignInOutcome> SignInAsync(HttpContext context, string userName, string password, CancellationToken cancellationToken = default)
    {
        var check = await validator.CheckAsync(userName.Trim(), password, "form", CredentialValidator.AddressOf(context), cancellationToken);
        if (check.RetryAfter is { } after)
        {
            return SignInOutcome.Throttled(after);
        }
        if (check.LockedUntil is { } until)
        {
            return SignInOutcome.Locked(until);
        }
        if (!check.Succeeded)
        {
            return SignInOutcome.Invalid;
        }

        // The cookie handler would otherwise redirect to the raw returnUrl of the query: only a safe local path goes there.
        await context.SignInAsync(AuthSchemes.Cookie, ConsoleClaims.Principal(check.User!, AuthSchemes.Cookie),
            new AuthenticationProperties { RedirectUri = Web.ConsoleUrls.SafeReturnUrl(context.Request.Query["returnUrl"]) });
        return SignInOutcome.Success;
    }
}
