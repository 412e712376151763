using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Auth;

/// <summary>HTTP Basic for scripts calling <c>/api</c>, with the same lockout as the sign-in page.</summary>
internal sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    CredentialValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly object ThrottledKey = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) ||
            !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? ""));
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("Basic credentials are not valid base64.");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return AuthenticateResult.Fail("Basic credentials must be 'user:password'.");
        }

        var check = await validator.CheckAsync(decoded[..colon], decoded[(colon + 1)..], "basic", CredentialValidator.AddressOf(Context), Context.RequestAborted);
        if (check.RetryAfter is { } after)
        {
            Context.Items[ThrottledKey] = after;
            return AuthenticateResult.Fail("Too many sign-in attempts right now: try again later.");
        }
        if (check.LockedUntil is { } until)
        {
            return AuthenticateResult.Fail($"The account is locked out until {until:u}.");
        }
        return check.Succeeded
            ? AuthenticateResult.Success(new AuthenticationTicket(ConsoleClaims.Principal(check.User!, Scheme.Name), Scheme.Name))
            : AuthenticateResult.Fail("Wrong user name or password.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (Context.Items[ThrottledKey] is TimeSpan after)
        {
            await ApiProblems.TooManyRequests(Context, after, result.Failure!.Message);
            return;
        }
        await ApiProblems.Unauthorized(Context, result.Failure?.Message ?? "Send credentials.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => ApiProblems.Forbidden(Context);
}
