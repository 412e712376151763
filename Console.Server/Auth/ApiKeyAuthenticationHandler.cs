using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Auth;

/// <summary>Per-user API keys sent as <c>Authorization: Bearer opsk_...</c>.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) ||
            !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var (user, problem) = await keys.AuthenticateAsync(header.Parameter ?? "", Context.RequestAborted);
        return user is null
            ? AuthenticateResult.Fail(problem ?? "The API key is unknown or revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(ConsoleClaims.Principal(user, Scheme.Name), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await ApiProblems.Unauthorized(Context, result.Failure?.Message ?? "Send an API key.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => ApiProblems.Forbidden(Context);
}
