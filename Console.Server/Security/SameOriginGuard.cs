using Microsoft.Net.Http.Headers;

namespace OpsConsole.Server.Security;

/// <summary>
/// Refuses requests a browser makes on a signed-in user's behalf from another origin: a state change (any method but
/// GET, HEAD, OPTIONS) or a live connection (the log hub, the Blazor circuit) carried by the session cookie. The
/// cookie's SameSite=Strict stops other sites, but not a page on another port of the same host (same site, other
/// origin). Browsers send <c>Origin</c> and <c>Sec-Fetch-Site</c> with such requests; a request with neither is not a
/// browser's and passes, and requests authenticated by HTTP Basic or an API key are not ambient and are not checked.
/// Extra origins allowed (a console behind another name): <c>Security:AllowedOrigins</c>.
/// </summary>
public static class SameOriginGuard
{
    public const string AllowedOriginsKey = "Security:AllowedOrigins";

    public static WebApplication UseSameOriginGuard(this WebApplication app)
    {
        var allowed = (app.Configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [])
            .Select(origin => origin.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SameOriginGuard));
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, allowed) is { } reason)
            {
                logger.LogWarning("Refused {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, reason);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new
                {
                    type = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
                    title = "Cross-origin request refused",
                    status = 403,
                    detail = reason,
                }, context.RequestAborted);
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Why the request is refused, or null when it may go on.</summary>
    public static string? Refusal(HttpRequest request, IReadOnlySet<string> allowed)
    {
        if (request.Headers.ContainsKey(HeaderNames.Authorization) || !(IsStateChanging(request) || IsLiveConnection(request)))
        {
            return null;
        }
        // Fetch metadata first: the console's own form posts carry Origin "null" (its Referrer-Policy is no-referrer),
        // but Sec-Fetch-Site still says same-origin.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "same-origin" or "none")
        {
            return null;
        }
        var origin = request.Headers.Origin.ToString();
        var own = $"{request.Scheme}://{request.Host}";
        if (string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || allowed.Contains(origin) || (site.Length == 0 && origin.Length == 0))
        {
            return null;
        }
        return origin.Length > 0
            ? $"the request comes from {origin}, not from this console ({own})."
            : $"the browser says the request comes from a {site} page, not from this console.";
    }

    private static bool IsStateChanging(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    private static bool IsLiveConnection(HttpRequest request) =>
        request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor");
}
