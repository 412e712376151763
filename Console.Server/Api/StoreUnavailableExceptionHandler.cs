using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Server.Api;

/// <summary>
/// A store that fails (the console's database on a read-only or full disk, the state store, the lake) is not the
/// caller's fault nor a bug: <c>503</c> with the reason and <c>Retry-After</c>, and a SQLite failure clears the
/// connection pool (through <see cref="SqliteDatabase.Unavailable"/>) so the next request opens afresh.
/// </summary>
internal sealed class StoreUnavailableExceptionHandler(SqliteDatabase database, ILogger<StoreUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var unavailable = exception switch
        {
            StoreUnavailableException store => store,
            SqliteException sqlite => database.Unavailable(sqlite),
            _ => null,
        };
        if (unavailable is null)
        {
            return false;
        }
        logger.LogError(unavailable, "{Method} {Path}: a store is unavailable", httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        await httpContext.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "A store is unavailable", Detail = unavailable.Message, Instance = httpContext.Request.Path },
            options: null, contentType: "application/problem+json", cancellationToken);
        return true;
    }
}
