using Microsoft.AspNetCore.Mvc;
using OpsConsole.Server.Auth;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Server.Quality;

/// <summary>The data-quality reports the jobs write into the state store the console shares with them.</summary>
internal sealed class QualityService(IStateStore state, ConsoleLake lake, ILogger<QualityService> logger) : IQualityService
{
    private const string Source = StreamCatalog.Stripe;

    public async Task<IReadOnlyList<StreamQuality>> StreamsAsync(CancellationToken cancellationToken = default)
    {
        var streams = new List<StreamQuality>();
        foreach (var stream in StreamCatalog.Names(Source))
        {
            var latest = await state.QualityReportsAsync(Source, stream, 1, cancellationToken: cancellationToken);
            streams.Add(new StreamQuality(Source, stream, latest.Count > 0 ? latest[0] : null));
        }
        return streams;
    }

    public Task<IReadOnlyList<QualityReport>> HistoryAsync(string source, string stream, int limit, CancellationToken cancellationToken = default) =>
        state.QualityReportsAsync(source, stream, Math.Clamp(limit, 1, 500), cancellationToken: cancellationToken);

    /// <summary>The run's whole report: a shortened one (see <see cref="QualityReport.FullReport"/>) is read whole from the lake when it can be.</summary>
    public async Task<QualityReport?> ReportAsync(string runId, CancellationToken cancellationToken = default)
    {
        var report = await state.GetQualityReportAsync(runId, cancellationToken);
        if (report?.FullReport is null)
        {
            return report;
        }
        try
        {
            return await report.WholeAsync(lake.Storage, cancellationToken);
        }
        catch (Shared.Storage.StoreUnavailableException exception)
        {
            logger.LogWarning(exception, "Run {RunId}: the whole quality report cannot be read from the lake; the shortened one is shown", runId);
            return report;
        }
    }
}

/// <summary><c>/api/quality</c>: per stream, a stream's reports, one rule's trend; and <c>/api/runs/{id}/quality</c>.</summary>
internal static class QualityApi
{
    public static WebApplicationBuilder AddQuality(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IQualityService, QualityService>();
        builder.Services.AddSingleton<Runs.IRunObserver, RunQualityRecorder>();
        builder.Services.AddSingleton<IStreamRulesService, StreamRulesService>();
        return builder;
    }

    public static void MapQualityApi(this WebApplication app)
    {
        var read = app.MapGroup("/api").RequireAuthorization(Shared.Auth.ConsolePolicies.Viewer).WithTags("Quality");
        read.MapGet("/quality", async (IQualityService quality, CancellationToken cancellationToken) => TypedResults.Ok(await quality.StreamsAsync(cancellationToken)))
            .WithSummary("Every stream with its latest data-quality report (null before its first judged run).");
        read.MapGet("/quality/{source}/{stream}", async Task<IResult> (string source, string stream, int? limit, IQualityService quality, CancellationToken cancellationToken) =>
                !StreamCatalog.Names().Contains(stream)
                    ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["stream"] = [$"'{Shared.Validation.InvalidFieldException.Quote(stream)}' is not a stream: use {StreamCatalog.NameList()}."] })
                    : (IResult?)Api.ApiLimit.Invalid(limit ?? 30, 500) ?? TypedResults.Ok(await quality.HistoryAsync(source, stream, limit ?? 30, cancellationToken)))
            .WithSummary("A stream's data-quality reports, newest first (`limit`, default 30, at most 500).");
        read.MapGet("/quality/{source}/{stream}/rules/{rule}", async Task<IResult> (string source, string stream, string rule, int? limit, IQualityService quality,
                CancellationToken cancellationToken) =>
            {
                if (Api.ApiLimit.Invalid(limit ?? 30, 500) is { } invalid)
                {
                    return invalid;
                }
                var points = QualityTrend.Of(await quality.HistoryAsync(source, stream, limit ?? 30, cancellationToken), rule);
                return points.Count > 0 ? TypedResults.Ok(points) : TypedResults.NotFound();
            })
            .WithSummary("One rule's observed value and band over the stream's runs, oldest first (`limit` runs, default 30, at most 500).");
        read.MapGet("/runs/{id}/quality", async Task<IResult> (string id, IQualityService quality, CancellationToken cancellationToken) =>
                await quality.ReportAsync(id, cancellationToken) is { } report ? TypedResults.Ok(report) : TypedResults.NotFound())
            .WithSummary("A run's data-quality report: every rule's observed value, bounds, outcome, failing count and sample ids.");

        read.MapGet("/quality/{source}/{stream}/rules-file", async Task<IResult> (string source, string stream, IStreamRulesService rules, CancellationToken cancellationToken) =>
                await HandleRules(async () => TypedResults.Ok(await rules.GetAsync(source, stream, cancellationToken))))
            .WithSummary("The stream's rules file as its runs load it (a file, or the built-in rules), and where a save writes it.");
        app.MapPost("/api/quality/{source}/{stream}/suggestions", async Task<IResult> (string source, string stream, HttpContext context, IStreamRulesService rules,
                CancellationToken cancellationToken) =>
                await HandleRules(async () => TypedResults.Ok(await rules.SuggestAsync(source, stream, ConsoleClaims.Caller(context.User)!, null, cancellationToken))))
            .RequireAuthorization(ConsolePolicies.Operator).WithTags("Quality")
            .WithSummary("Profiles the stream's table and returns suggested rules (YAML that `rules --check` accepts, each rule with what suggested it); "
                         + "one suggestion at a time (409 while one runs, or before the stream has a table).");
        app.MapPut("/api/quality/{source}/{stream}/rules-file", async Task<IResult> (string source, string stream, [FromBody] RulesFileRequest? request, HttpContext context,
                IStreamRulesService rules, CancellationToken cancellationToken) =>
                await HandleRules(async () => TypedResults.Ok(await rules.SaveAsync(source, stream, request?.Yaml, ConsoleClaims.Caller(context.User)!, cancellationToken))))
            .RequireAuthorization(ConsolePolicies.Admin).WithTags("Quality")
            .WithSummary("Saves `yaml` as the stream's rules file after checking it as a run would (400 naming the rule and key); the next run judges it. An audit entry keeps the file before and after.");
    }

    private static Task<IResult> HandleRules(Func<Task<IResult>> action) => Api.ApiRefusals.HandleAsync(action, "No such stream", exception => exception switch
    {
        RulesConflictException conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Rules", detail: conflict.Message),
        InvalidOperationException failed => TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Rules suggestion failed", detail: failed.Message),
        _ => null,
    });
}

/// <summary>The body of <c>PUT /api/quality/{source}/{stream}/rules-file</c>.</summary>
public sealed record RulesFileRequest(string? Yaml);
