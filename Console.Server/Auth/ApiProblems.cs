using Microsoft.AspNetCore.Mvc;

namespace OpsConsole.Server.Auth;

/// <summary>401 and 403 answers for API callers: JSON problem details, never an HTML redirect.</summary>
internal static class ApiProblems
{
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    public static Task Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = new(["Basic realm=\"OpsConsole\", charset=\"UTF-8\"", "Bearer realm=\"OpsConsole\""]);
        return Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    public static Task Forbidden(HttpContext context) =>
        Write(context, StatusCodes.Status403Forbidden, "Forbidden",
            $"{context.User.Identity?.Name ?? "The caller"} does not have the role this endpoint needs.");

    private static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path },
            options: null, contentType: "application/problem+json");
    }
}
