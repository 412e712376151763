using Microsoft.AspNetCore.Http;

namespace OpsConsole.Web.Auth;

/// <summary>Checks a user name and password and, when they match, signs the browser in with a session cookie.</summary>
public interface IConsoleSignIn
{
    Task<SignInOutcome> SignInAsync(HttpContext context, string userName, string password, CancellationToken cancellationToken = default);
}
