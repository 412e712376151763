using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Server.Auth;
using OpsConsole.Server.Data;
using OpsConsole.Server.Logs;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Validation;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Server.Runs;

/// <summary><c>/api/runs</c>: list, launch, read, cancel, and the run's log (a page, or the whole archive).</summary>
internal static class RunsApi
{
    public const int MaxLogPage = 5000;

    public const int MaxRunList = 5000;

    public static void MapRunsApi(this WebApplication app)
    {
        var read = app.MapGroup("/api/runs").RequireAuthorization(ConsolePolicies.Viewer).WithTags("Runs");
        read.MapGet("", ListAsync)
            .WithSummary($"Runs, newest first (at most `limit`, 1 to {MaxRunList}, default 500). Keyset paging: `before` (a run's id) lists the runs " +
                "after that one, so the next page is `before=` the last id of this one; 400 when there is no such run.");
        read.MapGet("/page", PageAsync)
            .WithSummary("One page of runs, sorted, filtered and counted by the store: `offset`, `limit` (1 to 500, default 25), `sort` " +
                "(created, id, state, stream, started, duration, records, records_per_second, launched_by, runner), `descending` (default true), " +
                "and filters `state`, `stream` (equal) and `launchedBy`, `id` (contain). Returns `runs` and `total`; 400 names a wrong part.");
        read.MapGet("/{id}", async Task<IResult> (string id, IRunService runs, CancellationToken cancellationToken) =>
            await runs.GetAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : NotFound(id))
            .WithSummary("One run: state, parameters, who launched and cancelled it, progress, exit code and failure reason, attempts (`attempts` of `maxAttempts`, `retryAt` while it waits for the next).");
        read.MapGet("/{id}/attempts", async Task<IResult> (string id, IRunService runs, CancellationToken cancellationToken) =>
                await runs.GetAsync(id, cancellationToken) is null ? NotFound(id) : TypedResults.Ok(await runs.AttemptsAsync(id, cancellationToken)))
            .WithSummary("The run's attempts, first first: start, end, outcome, exit code, reason, whether a retry followed, and the first log line of each (`firstSeq`: read its log with `after=firstSeq-1`).");
        read.MapGet("/{id}/logs", GetLogsAsync)
            .WithSummary("The run's log lines with a sequence number above `after` (default 0), at most `limit` (1 to 5000, default 1000).");
        read.MapGet("/{id}/logs/download", DownloadAsync)
            .WithSummary("The run's whole log: gzip JSON Lines, or with `format=text` plain text (time, level, source and message a line).");

        var operate = app.MapGroup("/api/runs").RequireAuthorization(ConsolePolicies.Operator).WithTags("Runs");
        operate.MapPost("", LaunchAsync)
            .WithSummary("Launches a run. 400 names the invalid field; 409 when the stream already has an active run (its id is in `activeRunId`).");
        operate.MapPost("/{id}/cancel", CancelAsync)
            .WithSummary("Cancels a run: SIGTERM, then SIGKILL after the grace period. `force=true` (Admin) kills it at once.");
    }

    private static async Task<IResult> ListAsync(IRunService runs, CancellationToken cancellationToken, int limit = 500, string? before = null)
    {
        if (Api.ApiLimit.Invalid(limit, MaxRunList) is { } invalid)
        {
            return invalid;
        }
        try
        {
            return TypedResults.Ok(await runs.ListAsync(limit, string.IsNullOrWhiteSpace(before) ? null : before.Trim(), cancellationToken));
        }
        catch (InvalidFieldException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [exception.Field] = [exception.Message] });
        }
    }

    private static async Task<IResult> PageAsync(IRunService runs, CancellationToken cancellationToken, int offset = 0, int limit = 25,
        string sort = RunFields.Created, bool descending = true, string? state = null, string? stream = null, string? launchedBy = null, string? id = null)
    {
        var filters = new List<RunFilter>();
        void Add(string field, string op, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                filters.Add(new RunFilter(field, op, value.Trim()));
            }
        }
        Add(RunFields.State, RunFilterOperators.Equal, state);
        Add(RunFields.Stream, RunFilterOperators.Equal, stream);
        Add(RunFields.LaunchedBy, RunFilterOperators.Contains, launchedBy);
        Add(RunFields.Id, RunFilterOperators.Contains, id);
        try
        {
            return TypedResults.Ok(await runs.QueryAsync(new RunQuery { Offset = offset, Limit = limit, SortBy = sort, Descending = descending, Filters = filters }, cancellationToken));
        }
        catch (InvalidFieldException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [exception.Field] = [exception.Message] });
        }
    }

    private static async Task<IResult> LaunchAsync([FromBody] LaunchRequest? request, HttpContext context, IRunService runs, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["stream"] = [$"is required: one of {StreamCatalog.NameList()}."] });
        }
        try
        {
            var run = await runs.LaunchAsync(request, ConsoleClaims.Caller(context.User)!, cancellationToken);
            return TypedResults.Created($"/api/runs/{run.Id}", run);
        }
        catch (InvalidFieldException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [exception.Field] = [exception.Message] });
        }
        catch (StreamBusyException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Stream busy", detail: exception.Message,
                extensions: new Dictionary<string, object?> { ["activeRunId"] = exception.ActiveRun });
        }
    }

    private static async Task<IResult> CancelAsync(string id, HttpContext context, IRunService runs, CancellationToken cancellationToken, bool force = false)
    {
        try
        {
            return await runs.CancelAsync(id, force, ConsoleClaims.Caller(context.User)!, cancellationToken) is { } run
                ? TypedResults.Accepted($"/api/runs/{id}", run)
                : NotFound(id);
        }
        catch (UnauthorizedAccessException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: exception.Message);
        }
        catch (RunStateConflictException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Run has ended", detail: exception.Message);
        }
    }

    private static async Task<IResult> GetLogsAsync(string id, IRunService runs, LogService logs, CancellationToken cancellationToken,
        long after = 0, int limit = 1000)
    {
        if (after < 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["must not be negative."] });
        }
        if (limit is < 1 or > MaxLogPage)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"must be between 1 and {MaxLogPage}."] });
        }
        if (await runs.GetAsync(id, cancellationToken) is not { } run)
        {
            return NotFound(id);
        }
        return TypedResults.Ok(logs.Read(id, after, limit, runEnded: !run.State.IsActive()));
    }

    /// <summary>The run's whole log: the console's copy, else (its volume lost or cleaned) the copy in the lake.</summary>
    private static async Task<IResult> DownloadAsync(string id, IRunService runs, LogService logs, ConsoleLake lake, ILogger<LogService> logger,
        CancellationToken cancellationToken, string format = "jsonl")
    {
        if (format is not ("jsonl" or "text"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"must be jsonl or text, not '{format}'."] });
        }
        if (await runs.GetAsync(id, cancellationToken) is not { } run)
        {
            return NotFound(id);
        }
        logs.Live(id)?.Flush();
        var archive = logs.Archive(id);
        Stream gzip;
        if (run.State.IsActive() || (archive.Length > 0 && File.Exists(archive.DataFile)))
        {
            gzip = archive.OpenRead();
        }
        else
        {
            try
            {
                gzip = await lake.Storage.OpenReadAsync(LakePaths.LogArchive(run.Source, run.Stream, id), cancellationToken) ?? archive.OpenRead();
            }
            catch (StoreUnavailableException exception)
            {
                logger.LogWarning(exception, "Run {RunId}: the console has no log and the lake's copy cannot be read", id);
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Log unavailable",
                    detail: $"The console has no log of run '{id}' and the lake cannot be read: {exception.Message}");
            }
        }
        return format == "text"
            ? TypedResults.Stream(body => LogText.WriteAsync(gzip, body, cancellationToken), "text/plain; charset=utf-8", $"{id}.log")
            : TypedResults.Stream(gzip, "application/gzip", $"{id}.log.jsonl.gz");
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no run '{id}'.");
}
