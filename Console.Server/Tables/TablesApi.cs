using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Server.Api;
using OpsConsole.Server.Auth;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Tables;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Tables;

/// <summary><c>/api/tables</c>: the lake's tables, their partitions, schema and history; maintenance for admins.</summary>
internal static class TablesApi
{
    public static void MapTablesApi(this WebApplication app)
    {
        var read = app.MapGroup("/api/tables").RequireAuthorization(ConsolePolicies.Viewer).WithTags("Tables");
        read.MapGet("", async (ITableService tables, CancellationToken cancellationToken) => TypedResults.Ok(await tables.ListAsync(cancellationToken)))
            .WithSummary("Every stream's table: version, rows, bytes, files, partitions, partitions with small files to compact, last commit time.");
        read.MapGet("/{source}/{stream}", async Task<IResult> (string source, string stream, ITableService tables, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await tables.DetailAsync(source, stream, cancellationToken))))
            .WithSummary("A table: its summary, partitions (rows, bytes, files, small files per dt, newest first) and schema.");
        read.MapGet("/{source}/{stream}/history", async Task<IResult> (string source, string stream, int? limit, ITableService tables, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await tables.HistoryAsync(source, stream, limit ?? 50, cancellationToken))))
            .WithSummary("The newest commits (limit 1..500, default 50), newest first: version, time, operation, run id, files and rows added and removed.");
        read.MapGet("/{source}/{stream}/preview", async Task<IResult> (string source, string stream, string? version, string? dt, string? id, string? limit,
                HttpContext context, ITableService tables, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await tables.PreviewAsync(source, stream, Query(version, dt, id, limit), ConsoleClaims.Caller(context.User)!,
                cancellationToken))))
            .WithSummary("The first rows (newest first by created, then id; `limit` 1..100, default 100) of the table at `version` (default the current), "
                         + "of one `dt` (yyyy-MM-dd) or one `id`, read with DuckDB; personal columns are masked unless the caller is an admin. A bad parameter is a 400 naming it.");

        var admin = app.MapGroup("/api/tables").RequireAuthorization(ConsolePolicies.Admin).WithTags("Tables");
        admin.MapPost("/{source}/{stream}/maintenance", async Task<IResult> (string source, string stream, [FromBody] MaintenanceRequest? request, HttpContext context,
                ITableService tables, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await tables.MaintainAsync(source, stream, request ?? new MaintenanceRequest(), ConsoleClaims.Caller(context.User)!,
                cancellationToken))))
            .WithSummary("`action`: `compact` (optional `partition`, `targetMib`), `vacuum` or `cleanLog` (optional `retainHours`; a dry run unless `apply`). "
                         + "A change needs `confirm` (the stream's name); 409 while the stream has an active run (its id in `activeRunId`) or a writer changed the table.");
    }

    /// <summary>The preview's query parameters, each checked here for its form (400 naming it) and by the service for its range.</summary>
    private static PreviewQuery Query(string? version, string? dt, string? id, string? limit) => new()
    {
        Version = version is null ? null : long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidFieldException("version", $"'{InvalidFieldException.Quote(version)}' is not a version number."),
        Dt = dt,
        Id = id,
        Limit = limit is null ? PreviewQuery.MaxLimit : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l
            : throw new InvalidFieldException("limit", $"'{InvalidFieldException.Quote(limit)}' is not a number from 1 to {PreviewQuery.MaxLimit}."),
    };

    private static Task<IResult> Handle(Func<Task<IResult>> action) => ApiRefusals.HandleAsync(action, "No such table", exception => exception switch
    {
        TableBusyException busy => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Stream busy", detail: busy.Message,
            extensions: new Dictionary<string, object?> { ["activeRunId"] = busy.RunId }),
        TableChangedException changed => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Table changed", detail: changed.Message),
        InvalidDataException or StoreUnavailableException => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The table cannot be read", detail: exception.Message),
        _ => null,
    });
}

internal static class TablesExtensions
{
    public static WebApplicationBuilder AddTables(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TableOptions>().BindConfiguration(TableOptions.Section);
        builder.Services.AddSingleton<TablePreviewReader>();
        builder.Services.AddSingleton<TableService>();
        builder.Services.AddSingleton<ITableService>(sp => sp.GetRequiredService<TableService>());
        return builder;
    }
}
