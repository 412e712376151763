using Microsoft.AspNetCore.Mvc;
using OpsConsole.Web;

namespace OpsConsole.Server.Auth;

/// <summary>401, 403 and 429 answers for API callers: JSON problem details, never an HTML redirect.</summary>
internal static class ApiProblems
{
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments(ConsoleUrls.ApiRoot) || request.Path.StartsWithSegments(ConsoleUrls.HubsRoot);

    public static Task Unauthorized(HttpContext context, string detail)
    {
        // Only Bearer is advertised: a Basic challenge would make browsers prompt and then replay the cached
        // credentials on cross-site requests. Scripts send Basic credentials without being asked.
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"OpsConsole\"";
        return Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    public static Task Forbidden(HttpContext context) =>
        Write(context, StatusCodes.Status403Forbidden, "Forbidden",
            $"{context.User.Identity?.Name ?? "The caller"} does not have the role this endpoint needs.");

    /// <summary>Too many sign-in attempts: 429 with Retry-After in whole seconds (at least 1).</summary>
    public static Task TooManyRequests(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Write(context, StatusCodes.Status429TooManyRequests, "Too Many Requests", detail);
    }

    private static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path },
            options: null, contentType: "application/problem+json");
    }
}
