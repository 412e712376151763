using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace OpsConsole.Server.Api;

/// <summary>A request the framework cannot bind (malformed JSON, a missing body) is the caller's error: 400 with the reason.</summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        await httpContext.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message, Instance = httpContext.Request.Path },
            options: null, contentType: "application/problem+json", cancellationToken);
        return true;
    }
}
