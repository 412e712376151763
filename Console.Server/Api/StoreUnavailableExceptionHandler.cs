using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Server.Api;

/// <summary>
/// A store that fails (the console's database on a read-only or full disk, the state store, the lake) is not the
/// caller's fault nor a bug: <c>503</c> with <c>Retry-After</c>, and a SQLite failure of the file (read-only, I/O,
/// full, cannot open, busy) clears the connection pool (through <see cref="SqliteDatabase.Unavailable"/>) so the next
/// request opens afresh. Other SQLite errors (a constraint, a bug) stay 500s. The caller, who may not be signed in
/// (authentication reads the database), learns which store failed, not its path; the log has the whole message.
/// </summary>
internal sealed class StoreUnavailableExceptionHandler(SqliteDatabase database, ILogger<StoreUnavailableExceptionHandler> logger) : IExceptionHandler
{
    // SQLite's primary result codes of a file that cannot be used now.
    private const int Busy = 5, Locked = 6, ReadOnly = 8, IoError = 10, Full = 13, CannotOpen = 14;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var unavailable = exception switch
        {
            StoreUnavailableException store => store,
            SqliteException { SqliteErrorCode: Busy or Locked or ReadOnly or IoError or Full or CannotOpen } sqlite => database.Unavailable(sqlite),
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
            new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable, Title = "A store is unavailable",
                Detail = exception is SqliteException ? "The console's database cannot be written or read right now; try again shortly." : "A store the console uses failed; try again shortly.",
                Instance = httpContext.Request.Path,
            },
            options: null, contentType: "application/problem+json", cancellationToken);
        return true;
    }
}
