using Microsoft.AspNetCore.Mvc;
using OpsConsole.Server.Api;
using OpsConsole.Server.Auth;
using OpsConsole.Server.Configuration;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Schedules;

namespace OpsConsole.Server.Schedules;

/// <summary><c>/api/schedules</c>: read (Viewer), preview a cron expression, create, change, pause, resume and delete (Operator).</summary>
internal static class SchedulesApi
{
    public static void MapSchedulesApi(this WebApplication app)
    {
        var read = app.MapGroup("/api/schedules").RequireAuthorization(ConsolePolicies.Viewer).WithTags("Schedules");
        read.MapGet("", async (IScheduleService schedules, CancellationToken cancellationToken) => TypedResults.Ok(await schedules.ListAsync(cancellationToken)))
            .WithSummary("Every schedule with its next fire time (UTC; null while paused) and its last fire and what became of it.");
        read.MapGet("/preview", (IScheduleService schedules, string? cron, string? timeZone, int count = 5) =>
                Handle(() => Task.FromResult<IResult>(TypedResults.Ok(schedules.Preview(cron, timeZone, count)))))
            .WithSummary("The next `count` (1 to 50, default 5) fire times (UTC) of `cron` in `timeZone` (IANA, default UTC); a 400 names the cron's wrong field and its position.");
        read.MapGet("/{name}", async Task<IResult> (string name, IScheduleService schedules, CancellationToken cancellationToken) =>
                await schedules.GetAsync(name, cancellationToken) is { } schedule
                    ? TypedResults.Ok(schedule)
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such schedule", detail: $"There is no schedule '{name}'."))
            .WithSummary("One schedule.");
        read.MapGet("/{name}/fires", async Task<IResult> (string name, IScheduleService schedules, CancellationToken cancellationToken, int limit = 50) =>
                (IResult?)ApiLimit.Invalid(limit, 500) ?? await Handle(async () => TypedResults.Ok(await schedules.FiresAsync(name, limit, cancellationToken))))
            .WithSummary("The schedule's fire times, newest first (`limit` 1 to 500): launched (with the run), skipped, missed or failed (with why), or pending.");

        var operate = app.MapGroup("/api/schedules").RequireAuthorization(ConsolePolicies.Operator).WithTags("Schedules");
        operate.MapPost("", async Task<IResult> ([FromBody] ScheduleRequest? request, HttpContext context, IScheduleService schedules, CancellationToken cancellationToken) =>
                await Handle(async () =>
                {
                    var created = await schedules.CreateAsync(request ?? new ScheduleRequest(), ConsoleClaims.Caller(context.User)!, cancellationToken);
                    return TypedResults.Created($"/api/schedules/{created.Name}", created);
                }))
            .WithSummary("Creates a schedule: `name`, `stream`, `cron` and optionally `timeZone`, `enabled`, `overlap` (skip, queue, cancel), `catchUp` "
                         + "(none, latest, all) with `catchUpLimit`, `jitterSeconds`, `mode`, `workers`, `retries` (0 to 9) and `retryBackoffSeconds` for its runs. 409 when the name is taken.");
        operate.MapPut("/{name}", async Task<IResult> (string name, [FromBody] ScheduleRequest? request, HttpContext context, IScheduleService schedules,
                CancellationToken cancellationToken) =>
                await Handle(async () => TypedResults.Ok(await schedules.UpdateAsync(name, request ?? new ScheduleRequest(), ConsoleClaims.Caller(context.User)!, cancellationToken))))
            .WithSummary("Replaces a schedule's definition (fields as for creating; unset ones take their defaults). It fires from now on.");
        operate.MapPost("/{name}/pause", async Task<IResult> (string name, HttpContext context, IScheduleService schedules, CancellationToken cancellationToken) =>
                await Handle(async () => TypedResults.Ok(await schedules.SetEnabledAsync(name, false, ConsoleClaims.Caller(context.User)!, cancellationToken))))
            .WithSummary("Pauses a schedule: no fire time launches until it is resumed.");
        operate.MapPost("/{name}/resume", async Task<IResult> (string name, HttpContext context, IScheduleService schedules, CancellationToken cancellationToken) =>
                await Handle(async () => TypedResults.Ok(await schedules.SetEnabledAsync(name, true, ConsoleClaims.Caller(context.User)!, cancellationToken))))
            .WithSummary("Resumes a paused schedule; it fires from now on (never for the time it was paused).");
        operate.MapDelete("/{name}", async Task<IResult> (string name, HttpContext context, IScheduleService schedules, CancellationToken cancellationToken) =>
                await Handle(async () =>
                {
                    await schedules.DeleteAsync(name, ConsoleClaims.Caller(context.User)!, cancellationToken);
                    return TypedResults.NoContent();
                }))
            .WithSummary("Deletes a schedule and its fire history (the audit log keeps its definition); its runs stay.");
    }

    /// <summary><c>/api/backfills</c>: read (Viewer); create, pause, resume and cancel (Operator).</summary>
    public static void MapBackfillsApi(this WebApplication app)
    {
        var read = app.MapGroup("/api/backfills").RequireAuthorization(ConsolePolicies.Viewer).WithTags("Backfills");
        read.MapGet("", async (IBackfillService backfills, CancellationToken cancellationToken, int limit = 50) =>
                (IResult?)ApiLimit.Invalid(limit, 500) ?? TypedResults.Ok(await backfills.ListAsync(limit, cancellationToken)))
            .WithSummary("Backfills, newest first (`limit` 1 to 500, default 50), each with its pieces, their runs and states, and its progress.");
        read.MapGet("/{id}", async Task<IResult> (string id, IBackfillService backfills, CancellationToken cancellationToken) =>
                await backfills.GetAsync(id, cancellationToken) is { } backfill
                    ? TypedResults.Ok(backfill)
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such backfill", detail: $"There is no backfill '{id}'."))
            .WithSummary("One backfill.");

        var operate = app.MapGroup("/api/backfills").RequireAuthorization(ConsolePolicies.Operator).WithTags("Backfills");
        operate.MapPost("", async Task<IResult> ([FromBody] BackfillRequest? request, HttpContext context, IBackfillService backfills, CancellationToken cancellationToken) =>
                await Handle(async () =>
                {
                    var created = await backfills.CreateAsync(request ?? new BackfillRequest(), ConsoleClaims.Caller(context.User)!, cancellationToken);
                    return TypedResults.Created($"/api/backfills/{created.Id}", created);
                }, "No such backfill"))
            .WithSummary("Splits `[from, to)` of `stream` into runs of a `step` (day or week, UTC) queued one after another; `to` must not be in the future; at most 1000 runs. "
                         + "The runs never move the checkpoint backwards.");
        foreach (var action in BackfillActions.All)
        {
            operate.MapPost($"/{{id}}/{action}", async Task<IResult> (string id, HttpContext context, IBackfillService backfills, CancellationToken cancellationToken) =>
                    await Handle(async () => TypedResults.Ok(await backfills.ChangeAsync(id, action, ConsoleClaims.Caller(context.User)!, cancellationToken)), "No such backfill"))
                .WithSummary(action switch
                {
                    "pause" => "Pauses: the running piece finishes, the next does not start.",
                    "resume" => "Resumes a paused backfill, or a failed one (its failed piece runs again).",
                    _ => "Cancels: no further piece starts, and the running one is cancelled.",
                });
        }
    }

    /// <summary>The schedules' and backfills' refusals: the shared ones, a taken name and a state that does not allow the change (409).</summary>
    private static Task<IResult> Handle(Func<Task<IResult>> action, string notFound = "No such schedule") => ApiRefusals.HandleAsync(action, notFound, exception => exception switch
    {
        ScheduleExistsException exists => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Schedule exists", detail: exists.Message),
        BackfillStateConflictException conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Backfill state", detail: conflict.Message),
        _ => null,
    });
}

public static class SchedulesExtensions
{
    /// <summary>Schedules: the store, the service the API and the UI use, and the scheduler with its leader lease.</summary>
    public static WebApplicationBuilder AddSchedules(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ScheduleOptions, ScheduleOptionsValidator>(ScheduleOptions.Section);
        services.AddSingleton<SqliteScheduleStore>();
        services.AddSingleton<ScheduleService>();
        services.AddSingleton<IScheduleService>(sp => sp.GetRequiredService<ScheduleService>());
        services.AddSingleton<Scheduler>();
        services.AddSingleton<BackfillService>();
        services.AddSingleton<IBackfillService>(sp => sp.GetRequiredService<BackfillService>());
        services.AddSingleton<Backfiller>();
        services.AddSingleton<SchedulerLeader>();
        services.AddHostedService<SchedulerHost>();
        return builder;
    }

    public static WebApplication MapSchedules(this WebApplication app)
    {
        app.MapSchedulesApi();
        app.MapBackfillsApi();
        return app;
    }
}
