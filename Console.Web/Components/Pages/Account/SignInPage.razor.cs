using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using OpsConsole.Web.Auth;

namespace OpsConsole.Web.Components.Pages.Account;

/// <summary>
/// The sign-in form. Rendered statically (not interactive), because signing in sets the session cookie on the
/// HTTP response.
/// </summary>
public sealed partial class SignInPage
{
    private string? _error;

    [Inject]
    private IConsoleSignIn SignIn { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm]
    private SignInForm? Input { get; set; }

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "signedOut")]
    private bool SignedOut { get; set; }

    protected override void OnInitialized() => Input ??= new SignInForm();

    private async Task SignInAsync()
    {
        var outcome = await SignIn.SignInAsync(HttpContext, Input!.UserName, Input.Password, HttpContext.RequestAborted);
        if (outcome.Succeeded)
        {
            Navigation.NavigateTo(ConsoleUrls.SafeReturnUrl(ReturnUrl));
            return;
        }

        Input.Password = "";
        if (outcome.RetryAfter is { } after)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
            HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            _error = $"Too many sign-in attempts right now: your password was not checked. Try again in {seconds} s.";
            return;
        }
        _error = outcome.LockedUntil is { } until
            ? $"Too many failed sign-ins from this address: this account is locked here until {until.UtcDateTime:HH:mm} UTC. An admin can unlock it sooner."
            : "Wrong user name or password.";
    }
}
