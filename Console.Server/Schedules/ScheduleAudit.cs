using System.Text.Json;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Schedules;

/// <summary>What changing a schedule or a backfill takes (the Operator role) and leaves (an audit entry with before and after as JSON).</summary>
internal static class ScheduleAudit
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void RequireOperator(CallerInfo caller, string what)
    {
        if (caller.Role < ConsoleRole.Operator)
        {
            throw new UnauthorizedAccessException($"{what} needs the Operator role.");
        }
    }

    public static Task AppendAsync(IAuditLog audit, string action, CallerInfo caller, string target, string stream, object? before, object? after) =>
        audit.AppendAsync(new AuditEntry
        {
            Actor = caller.Name,
            Action = action,
            Target = target,
            Stream = stream,
            Before = before is null ? null : JsonSerializer.Serialize(before, Json),
            After = after is null ? null : JsonSerializer.Serialize(after, Json),
        }, CancellationToken.None);
}
