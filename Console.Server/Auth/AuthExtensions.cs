using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Auth;
using OpsConsole.Web;
using OpsConsole.Web.Auth;

namespace OpsConsole.Server.Auth;

public static class AuthExtensions
{
    /// <summary>
    /// Local users and roles: a cookie for the UI; HTTP Basic and per-user API keys for <c>/api</c>;
    /// one policy per role, used by pages, API and hubs alike.
    /// </summary>
    public static WebApplicationBuilder AddConsoleAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(AuthOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<IUserDirectory>(sp => sp.GetRequiredService<UserStore>());
        services.TryAddSingleton<ApiKeyService>();
        services.TryAddSingleton<IApiKeyService>(sp => sp.GetRequiredService<ApiKeyService>());
        services.TryAddSingleton<SignInThrottle>();
        services.TryAddSingleton<CredentialValidator>();
        services.TryAddScoped<IConsoleSignIn, ConsoleSignIn>();
        services.AddHostedService<DemoUserSeeder>();

        // Sessions survive a restart: the cookie's keys live in the data folder.
        services.AddDataProtection().SetApplicationName("OpsConsole");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<DataOptions>, ILoggerFactory>((keys, data, loggers) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(data.Value.FullPath, "keys")), loggers));

        services.AddAuthentication(AuthSchemes.Console)
            .AddPolicyScheme(AuthSchemes.Console, "Cookie, Basic or API key", scheme => scheme.ForwardDefaultSelector = SelectScheme)
            .AddCookie(AuthSchemes.Cookie, ConfigureCookie)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(AuthSchemes.Basic, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null);
        services.AddOptions<CookieAuthenticationOptions>(AuthSchemes.Cookie).Configure<IOptions<AuthOptions>>((cookie, auth) =>
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(auth.Value.SessionMinutes));

        services.AddAuthorization(options =>
        {
            foreach (var policy in ConsolePolicies.All)
            {
                var roles = ConsolePolicies.RolesFor(policy).Select(role => role.ToString()).ToArray();
                options.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
            }
        });
        services.AddCascadingAuthenticationState();
        services.TryAddScoped<AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();
        return builder;
    }

    private static string SelectScheme(HttpContext context)
    {
        string authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthSchemes.Basic;
        }
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.ApiKey : AuthSchemes.Cookie;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie)
    {
        cookie.Cookie.Name = "opsconsole.session";
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        // Secure whenever the request is HTTPS (directly or through a proxy with forwarded headers).
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.SlidingExpiration = true;
        cookie.LoginPath = ConsoleUrls.SignIn;
        cookie.AccessDeniedPath = ConsoleUrls.AccessDenied;
        cookie.ReturnUrlParameter = "returnUrl";
        cookie.Events.OnRedirectToLogin = context => ApiProblems.IsApiRequest(context.Request)
            ? ApiProblems.Unauthorized(context.HttpContext, "Sign in, or send HTTP Basic credentials or an API key.")
            : RedirectBrowser(context);
        cookie.Events.OnRedirectToAccessDenied = context => ApiProblems.IsApiRequest(context.Request)
            ? ApiProblems.Forbidden(context.HttpContext)
            : RedirectBrowser(context);
        cookie.Events.OnValidatePrincipal = ValidateSessionAsync;
    }

    private static Task RedirectBrowser(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>A session ends when its user is gone or its role or password changed.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        var user = principal?.Identity?.Name is { } name ? await users.FindAsync(name, context.HttpContext.RequestAborted) : null;
        if (user is null ||
            user.SecurityStamp != principal?.FindFirstValue(ConsoleClaims.SecurityStamp) ||
            user.Role.ToString() != principal?.FindFirstValue(ClaimTypes.Role))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AuthSchemes.Cookie);
        }
    }
}
