using System.Text.RegularExpressions;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Schedules;

/// <summary>Creating, changing, pausing and deleting schedules (Operator and up, each an audit entry), and reading them with their next fire.</summary>
internal sealed partial class ScheduleService(SqliteScheduleStore store, IAuditLog audit, TimeProvider time, ILogger<ScheduleService> logger) : IScheduleService
{
    public const int MaxCatchUp = 100, MaxJitterSeconds = 3600, DefaultCatchUp = 10;

    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var last = (await store.LastFiresAsync(cancellationToken)).ToDictionary(fire => fire.Schedule, StringComparer.Ordinal);
        return [.. (await store.ListAsync(cancellationToken)).Select(schedule => Info(schedule, last.GetValueOrDefault(schedule.Definition.Name)))];
    }

    public async Task<ScheduleInfo?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        await store.GetAsync(name, cancellationToken) is { } schedule
            ? Info(schedule, await store.FiresAsync(name, 1, cancellationToken) is [var last, ..] ? last : null)
            : null;

    public async Task<IReadOnlyList<ScheduleFire>> FiresAsync(string name, int limit = 50, CancellationToken cancellationToken = default) =>
        await store.GetAsync(name, cancellationToken) is null
            ? throw new KeyNotFoundException($"There is no schedule '{InvalidFieldException.Quote(name)}'.")
            : await store.FiresAsync(name, Math.Clamp(limit, 1, 500), cancellationToken);

    public IReadOnlyList<DateTimeOffset> Preview(string? cron, string? timeZone, int count = 5) =>
        CronSchedule.Parse(cron, timeZone).Next(time.GetUtcNow(), Math.Clamp(count, 1, 50));

    public async Task<ScheduleInfo> CreateAsync(ScheduleRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        ScheduleAudit.RequireOperator(caller, "Creating a schedule");
        var definition = Validate(request);
        if (!await store.InsertAsync(definition, caller.Name, time.GetUtcNow(), cancellationToken))
        {
            throw new ScheduleExistsException(definition.Name);
        }
        await RecordAsync(AuditActions.ScheduleCreate, definition, caller, null, definition);
        logger.LogInformation("Schedule {Schedule} ({Source}/{Stream}, '{Cron}' {TimeZone}) created by {User}", definition.Name, definition.Source, definition.Stream,
            definition.Cron, definition.TimeZone, caller.Name);
        return (await GetAsync(definition.Name, cancellationToken))!;
    }

    public async Task<ScheduleInfo> UpdateAsync(string name, ScheduleRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        ScheduleAudit.RequireOperator(caller, "Changing a schedule");
        var before = await store.GetAsync(name, cancellationToken) ?? throw new KeyNotFoundException($"There is no schedule '{InvalidFieldException.Quote(name)}'.");
        if (request.Name is { } renamed && !string.Equals(renamed.Trim(), name, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("name", $"cannot change ('{InvalidFieldException.Quote(renamed)}' for '{name}'): create a schedule under the new name and delete this one.");
        }
        var definition = Validate(request with { Name = name });
        return await ReplaceAsync(before, definition, AuditActions.ScheduleUpdate, caller, cancellationToken);
    }

    public async Task<ScheduleInfo> SetEnabledAsync(string name, bool enabled, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        ScheduleAudit.RequireOperator(caller, enabled ? "Resuming a schedule" : "Pausing a schedule");
        var before = await store.GetAsync(name, cancellationToken) ?? throw new KeyNotFoundException($"There is no schedule '{InvalidFieldException.Quote(name)}'.");
        return before.Definition.Enabled == enabled
            ? (await GetAsync(name, cancellationToken))!
            : await ReplaceAsync(before, before.Definition with { Enabled = enabled }, enabled ? AuditActions.ScheduleResume : AuditActions.SchedulePause, caller,
                cancellationToken);
    }

    public async Task DeleteAsync(string name, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        ScheduleAudit.RequireOperator(caller, "Deleting a schedule");
        var before = await store.GetAsync(name, cancellationToken) ?? throw new KeyNotFoundException($"There is no schedule '{InvalidFieldException.Quote(name)}'.");
        if (await store.DeleteAsync(name, cancellationToken))
        {
            await RecordAsync(AuditActions.ScheduleDelete, before.Definition, caller, before.Definition, null);
            logger.LogInformation("Schedule {Schedule} deleted by {User}", name, caller.Name);
        }
    }

    /// <summary>Checks a request at the edge and normalizes it; every error names its field.</summary>
    public static ScheduleDefinition Validate(ScheduleRequest request)
    {
        var name = request.Name?.Trim() ?? "";
        if (!NamePattern().IsMatch(name) || name == "preview")
        {
            throw new InvalidFieldException("name", name.Length == 0
                ? "is required: lower-case letters, digits and dashes, like 'charges-nightly'."
                : name == "preview"
                    ? "'preview' is reserved (GET /api/schedules/preview); choose another name."
                    : $"'{InvalidFieldException.Quote(name)}' must be 1 to 40 lower-case letters, digits and dashes, starting and ending with a letter or digit.");
        }
        var launch = LaunchValidator.Validate(new LaunchRequest
        {
            Source = request.Source, Stream = request.Stream, Mode = request.Mode, Workers = request.Workers ?? 8, Retries = request.Retries,
            RetryBackoffSeconds = request.RetryBackoffSeconds,
        });
        var cron = CronSchedule.Parse(request.Cron, request.TimeZone);
        var overlap = request.Overlap?.Trim().ToLowerInvariant() ?? OverlapPolicies.Skip;
        if (!OverlapPolicies.All.Contains(overlap))
        {
            throw new InvalidFieldException("overlap", $"'{InvalidFieldException.Quote(request.Overlap!)}' is not one of {string.Join(", ", OverlapPolicies.All)}.");
        }
        var catchUp = request.CatchUp?.Trim().ToLowerInvariant() ?? CatchUpPolicies.Latest;
        if (!CatchUpPolicies.Values.Contains(catchUp))
        {
            throw new InvalidFieldException("catchUp", $"'{InvalidFieldException.Quote(request.CatchUp!)}' is not one of {string.Join(", ", CatchUpPolicies.Values)}.");
        }
        var limit = request.CatchUpLimit ?? DefaultCatchUp;
        if (limit is < 1 or > MaxCatchUp)
        {
            throw new InvalidFieldException("catchUpLimit", $"must be between 1 and {MaxCatchUp} (got {limit}).");
        }
        var jitter = request.JitterSeconds ?? 0;
        if (jitter is < 0 or > MaxJitterSeconds)
        {
            throw new InvalidFieldException("jitterSeconds", $"must be between 0 and {MaxJitterSeconds} (got {jitter}).");
        }
        return new ScheduleDefinition(name, launch.Source, launch.Stream, cron.Text, cron.ZoneId, request.Enabled ?? true, overlap, catchUp, limit, jitter,
            launch.Mode, request.Workers, launch.Retries, launch.RetryBackoffSeconds);
    }

    private async Task<ScheduleInfo> ReplaceAsync(StoredSchedule before, ScheduleDefinition after, string action, CallerInfo caller, CancellationToken cancellationToken)
    {
        if (!await store.UpdateAsync(after, caller.Name, time.GetUtcNow(), cancellationToken))
        {
            throw new KeyNotFoundException($"There is no schedule '{after.Name}'.");
        }
        await RecordAsync(action, after, caller, before.Definition, after);
        logger.LogInformation("Schedule {Schedule}: {Action} by {User}", after.Name, action, caller.Name);
        return (await GetAsync(after.Name, cancellationToken))!;
    }

    private ScheduleInfo Info(StoredSchedule stored, ScheduleFire? last)
    {
        var definition = stored.Definition;
        var from = time.GetUtcNow() > stored.FiredThrough ? time.GetUtcNow() : stored.FiredThrough;
        return new ScheduleInfo
        {
            Name = definition.Name,
            Source = definition.Source,
            Stream = definition.Stream,
            Cron = definition.Cron,
            TimeZone = definition.TimeZone,
            Enabled = definition.Enabled,
            Overlap = definition.Overlap,
            CatchUp = definition.CatchUp,
            CatchUpLimit = definition.CatchUpLimit,
            JitterSeconds = definition.JitterSeconds,
            Mode = definition.Mode,
            Workers = definition.Workers,
            Retries = definition.Retries,
            RetryBackoffSeconds = definition.RetryBackoffSeconds,
            CreatedBy = stored.CreatedBy,
            CreatedAt = stored.CreatedAt,
            UpdatedBy = stored.UpdatedBy,
            UpdatedAt = stored.UpdatedAt,
            NextFireAt = definition.Enabled ? CronSchedule.Parse(definition.Cron, definition.TimeZone).Next(from) : null,
            LastFire = last,
        };
    }

    private Task RecordAsync(string action, ScheduleDefinition definition, CallerInfo caller, ScheduleDefinition? before, ScheduleDefinition? after) =>
        ScheduleAudit.AppendAsync(audit, action, caller, definition.Name, $"{definition.Source}/{definition.Stream}", before, after);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
