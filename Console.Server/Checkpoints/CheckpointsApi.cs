using Microsoft.AspNetCore.Mvc;
using OpsConsole.Server.Api;
using OpsConsole.Server.Auth;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.State;

namespace OpsConsole.Server.Checkpoints;

/// <summary><c>/api/checkpoints</c>: browse, history, preview, change.</summary>
internal static class CheckpointsApi
{
    public static void MapCheckpointsApi(this WebApplication app)
    {
        var read = app.MapGroup("/api/checkpoints").RequireAuthorization(ConsolePolicies.Viewer).WithTags("Checkpoints");
        read.MapGet("", async (ICheckpointService checkpoints, CancellationToken cancellationToken) => TypedResults.Ok(await checkpoints.ListAsync(cancellationToken)))
            .WithSummary("Every stream's checkpoint: cursor, version, who and when, lag, the active run and the last run's outcome.");
        read.MapGet("/{source}/{stream}/history", async Task<IResult> (string source, string stream, ICheckpointService checkpoints, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await checkpoints.HistoryAsync(source, stream, cancellationToken))))
            .WithSummary("Every version of a checkpoint, newest first: cursor, previous cursor, who, when and why.");

        var admin = app.MapGroup("/api/checkpoints").RequireAuthorization(ConsolePolicies.Admin).WithTags("Checkpoints");
        admin.MapPost("/{source}/{stream}/preview", async Task<IResult> (string source, string stream, [FromBody] CheckpointChange? change,
                ICheckpointService checkpoints, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await checkpoints.PreviewAsync(source, stream, change ?? new CheckpointChange(), cancellationToken))))
            .WithSummary("What a change would do: the current and proposed cursor, the next run's window, and an estimate of its records and time.");
        admin.MapPut("/{source}/{stream}", async Task<IResult> (string source, string stream, [FromBody] CheckpointChange? change, HttpContext context,
                ICheckpointService checkpoints, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await checkpoints.ChangeAsync(source, stream, change ?? new CheckpointChange(), ConsoleClaims.Caller(context.User)!, cancellationToken))))
            .WithSummary("Resets (`action: reset`) or sets (`action: set`, `cursor`) the checkpoint. Needs `expectedVersion`, `confirm` (the stream's name) and `reason`. "
                         + "409 on a stale version or while the stream has an active run (its id in `activeRunId`).");
        admin.MapPost("/{source}/{stream}/restore/{version:long}", async Task<IResult> (string source, string stream, long version, [FromBody] CheckpointChange? change,
                HttpContext context, ICheckpointService checkpoints, CancellationToken cancellationToken) =>
            await Handle(async () => TypedResults.Ok(await checkpoints.ChangeAsync(source, stream,
                (change ?? new CheckpointChange()) with { Action = CheckpointAction.Restore, Version = version }, ConsoleClaims.Caller(context.User)!, cancellationToken))))
            .WithSummary("Brings back the cursor of an earlier version (as a new version). Needs `expectedVersion`, `confirm` and `reason`.");
    }

    private static Task<IResult> Handle(Func<Task<IResult>> action) => ApiRefusals.HandleAsync(action, "No such stream", exception => exception switch
    {
        CheckpointLockedException locked => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Stream busy", detail: locked.Message,
            extensions: new Dictionary<string, object?> { ["activeRunId"] = locked.RunId }),
        CheckpointConflictException conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Checkpoint changed", detail: conflict.Message,
            extensions: new Dictionary<string, object?> { ["currentVersion"] = conflict.Actual }),
        _ => null,
    });
}

internal static class CheckpointsExtensions
{
    public static WebApplicationBuilder AddCheckpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CheckpointService>();
        builder.Services.AddSingleton<ICheckpointService>(sp => sp.GetRequiredService<CheckpointService>());
        return builder;
    }
}
