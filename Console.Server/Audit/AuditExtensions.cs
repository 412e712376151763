using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Audit;

public static class AuditExtensions
{
    /// <summary>The append-only audit log in the console's database.</summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SqliteAuditLog>();
        builder.Services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<SqliteAuditLog>());
        return builder;
    }

    /// <summary><c>GET /api/audit</c>.</summary>
    public static WebApplication MapAuditApi(this WebApplication app)
    {
        app.MapGet("/api/audit", async (IAuditLog audit, CancellationToken cancellationToken, string? actor = null, string? action = null, string? stream = null,
                DateTimeOffset? from = null, DateTimeOffset? to = null, long? before = null, int limit = 200) =>
            (IResult?)Api.ApiLimit.Invalid(limit, 1000)
                ?? TypedResults.Ok(await audit.QueryAsync(new AuditQuery { Actor = actor, Action = action, Stream = stream, From = from, To = to, Before = before, Limit = limit }, cancellationToken)))
            .RequireAuthorization(ConsolePolicies.Viewer).WithTags("Audit")
            .WithSummary("Audit entries, newest first, filtered by `actor`, `action`, `stream` (source/stream), `from`/`to` (ISO 8601), paged with `before` (an entry id); `limit` 1 to 1000.");
        return app;
    }
}
