using System.Globalization;
using System.Text.Json;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Streams;
using OpsConsole.Shared.Tables;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Tables;

/// <summary>
/// The lake's tables from their Delta logs (sizes, partitions, schema and history come from the log and the files'
/// statistics; no data file is read), and their maintenance as Admin actions. A maintenance change holds the stream's
/// lease in the state store while it works, as a checkpoint change does, so no run starts on the stream meanwhile (a
/// launch in that moment backs out); it is refused while a run is active, and audited whether it succeeds or fails.
/// </summary>
internal sealed class TableService(ConsoleLake lake, IStateStore state, IRunStore runs, IAuditLog audit, TablePreviewReader previews, TimeProvider time,
    ILogger<TableService> logger) : ITableService
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>The largest compacted file the console makes; its rows are held in memory several times over.</summary>
    public const int MaxTargetMib = 128;

    public async Task<IReadOnlyList<TableSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var tables = new List<TableSummary>();
        foreach (var definition in StreamCatalog.All)
        {
            var path = LakePaths.Table(definition.Source, definition.Name);
            try
            {
                var snapshot = await Log(path).ReadSnapshotAsync(cancellationToken);
                tables.Add(Summarize(definition.Source, definition.Name, snapshot, await LastCommitAtAsync(path, snapshot.Version, cancellationToken)));
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException or StoreUnavailableException or JsonException)
            {
                tables.Add(new TableSummary(definition.Source, definition.Name, path, -1, 0, 0, 0, 0, 0, null) { Problem = exception.Message });
            }
        }
        return tables;
    }

    public async Task<TableDetail> DetailAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        var path = TablePath(source, stream);
        var snapshot = await Log(path).ReadSnapshotAsync(cancellationToken);
        var partitions = snapshot.Files.Values
            .GroupBy(f => f.PartitionValues.GetValueOrDefault(PartitionColumn) ?? "", StringComparer.Ordinal)
            .Select(g =>
            {
                var small = g.Count(f => f.Size < TableMaintenance.DefaultTargetBytes);
                return new TablePartition(g.Key, g.Sum(Rows), g.Sum(f => f.Size), g.Count(), small >= 2 ? small : 0);
            })
            .OrderByDescending(p => p.Dt, StringComparer.Ordinal)
            .ToList();
        IReadOnlyList<TableColumn> columns = snapshot.Metadata is { } metadata
            ? [
                .. DeltaSchema.Columns(metadata).Select(c => new TableColumn(c.Name, DeltaSchema.TypeName(c.Type), c.Nullable, Partition: false)),
                .. metadata.PartitionColumns.Select(p => new TableColumn(p, "string", false, Partition: true)),
            ]
            : [];
        return new TableDetail(Summarize(source, stream, snapshot, await LastCommitAtAsync(path, snapshot.Version, cancellationToken)), partitions, columns);
    }

    public async Task<IReadOnlyList<TableCommit>> HistoryAsync(string source, string stream, int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 500)
        {
            throw new InvalidFieldException("limit", "must be between 1 and 500.");
        }
        var log = Log(TablePath(source, stream));
        var latest = await log.ReadSnapshotAsync(cancellationToken);
        if (latest.Version < 0)
        {
            return [];
        }
        // The rows of the files the shown commits remove come from the state just before the oldest of them.
        var first = Math.Max(0, latest.Version - limit + 1);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        if (first > 0)
        {
            try
            {
                foreach (var file in (await log.ReadSnapshotAsync(first - 1, cancellationToken)).Files.Values)
                {
                    rows[file.Path] = Rows(file);
                }
            }
            catch (InvalidDataException)
            {
                // Log retention removed that version: the oldest commits shown may not know the rows they removed.
            }
        }
        var commits = new List<TableCommit>();
        for (var version = first; version <= latest.Version; version++)
        {
            IReadOnlyList<DeltaAction> actions;
            try
            {
                actions = await log.ReadCommitAsync(version, cancellationToken);
            }
            catch (InvalidDataException)
            {
                continue; // removed by log retention (the history starts at the oldest commit left)
            }
            var info = actions.FirstOrDefault(a => a.CommitInfo is not null)?.CommitInfo;
            var adds = actions.Where(a => a.Add is not null).Select(a => a.Add!).ToList();
            var removes = actions.Where(a => a.Remove is not null).Select(a => a.Remove!).ToList();
            var runId = actions.Select(a => a.Txn?.AppId).FirstOrDefault(id => id?.StartsWith(RunTransactionPrefix, StringComparison.Ordinal) == true)?[RunTransactionPrefix.Length..];
            commits.Add(new TableCommit(version, Number(info?.GetValueOrDefault("timestamp")) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                Text(info?.GetValueOrDefault("operation")) ?? "UNKNOWN", runId, adds.Count, removes.Count, adds.Sum(Rows),
                removes.Sum(r => rows.GetValueOrDefault(r.Path))));
            foreach (var remove in removes)
            {
                rows.Remove(remove.Path);
            }
            foreach (var add in adds)
            {
                rows[add.Path] = Rows(add);
            }
        }
        commits.Reverse();
        return commits;
    }

    public Task<TablePreview> PreviewAsync(string source, string stream, PreviewQuery query, CallerInfo caller, CancellationToken cancellationToken = default) =>
        previews.ReadAsync(lake.Storage, Log(TablePath(source, stream)), query, caller, cancellationToken);

    public async Task<MaintenanceOutcome> MaintainAsync(string source, string stream, MaintenanceRequest request, CallerInfo caller,
        CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Admin)
        {
            throw new UnauthorizedAccessException("Table maintenance needs the Admin role.");
        }
        var path = TablePath(source, stream);
        var action = request.Action ?? throw new InvalidFieldException("action", "is required: compact, vacuum or cleanLog.");
        var hours = request.RetainHours ?? (action == MaintenanceAction.CleanLog ? 720 : 168);
        if (action != MaintenanceAction.Compact && !(hours >= TableMaintenance.MinimumRetention.TotalHours && hours <= 87_600))
        {
            throw new InvalidFieldException("retainHours", "must be between 1 and 87600: a younger unreferenced file may belong to a commit in flight.");
        }
        var retain = TimeSpan.FromHours(hours);
        if (request.TargetMib is { } mib && mib is < 1 or > MaxTargetMib)
        {
            throw new InvalidFieldException("targetMib", $"must be between 1 and {MaxTargetMib}: the console holds a compacted file's rows in memory (larger files: the job's table compact).");
        }
        if (request.Partition is { } dt && !DateOnly.TryParseExact(dt, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new InvalidFieldException("partition", $"'{dt}' is not a dt value (yyyy-MM-dd).");
        }
        var maintenance = new TableMaintenance(lake.Storage, path, new ParquetFormat(), time);
        var changes = action == MaintenanceAction.Compact || request.Apply;
        if (!changes)
        {
            return await RunAsync(maintenance, action, request, retain, cancellationToken);
        }
        if (!string.Equals(request.Confirm?.Trim(), stream, StringComparison.Ordinal))
        {
            throw new InvalidFieldException("confirm", $"type the stream's name, '{stream}', to confirm.");
        }
        var auditAction = action switch
        {
            MaintenanceAction.Compact => AuditActions.TableCompact,
            MaintenanceAction.Vacuum => AuditActions.TableVacuum,
            _ => AuditActions.TableCleanLog,
        };
        var target = $"{source}/{stream}";
        var holder = $"{RunLeases.TableMaintenance}@{caller.Name}:{Guid.NewGuid():N}";
        try
        {
            await state.AcquireLeaseAsync(source, stream, holder, LeaseDuration, cancellationToken);
        }
        catch (StreamLeaseHeldException held)
        {
            var by = held.Holder?.Holder.Split('@')[0];
            await AuditAsync(caller, auditAction, target, request, $"refused: held by {by}");
            throw new TableBusyException($"{target} is held by {by}: the table is not maintained while a job runs.", by);
        }
        try
        {
            if (await runs.ActiveRunAsync(source, stream, cancellationToken) is { } active)
            {
                await AuditAsync(caller, auditAction, target, request, $"refused: run {active.Id} is active");
                throw new TableBusyException($"{target} has an active run, {active.Id}: cancel it or wait for it to end first.", active.Id);
            }
            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var renewing = RenewAsync(source, stream, holder, renewal.Token);
            MaintenanceOutcome outcome;
            try
            {
                // A change, once started, finishes whatever the caller does: its audit entry then says what it did.
                outcome = await RunAsync(maintenance, action, request, retain, CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                await AuditAsync(caller, auditAction, target, request, $"failed: {exception.Message}");
                throw;
            }
            finally
            {
                await renewal.CancelAsync();
                await renewing;
            }
            logger.LogWarning("Table {Target}: {Action} by {User}: {Summary}", target, auditAction, caller.Name, outcome.Summary);
            await AuditAsync(caller, auditAction, target, request, "ok", outcome);
            return outcome;
        }
        finally
        {
            await state.ReleaseLeaseAsync(source, stream, holder, CancellationToken.None);
        }
    }

    private static async Task<MaintenanceOutcome> RunAsync(TableMaintenance maintenance, MaintenanceAction action, MaintenanceRequest request, TimeSpan retain,
        CancellationToken cancellationToken)
    {
        switch (action)
        {
            case MaintenanceAction.Compact:
                var compacted = await maintenance.CompactAsync(request.Partition, (request.TargetMib ?? 32) * (1L << 20), null, cancellationToken);
                return new MaintenanceOutcome(action, compacted.Committed, compacted.Version, compacted.FilesRemoved, compacted.BytesRemoved, compacted.FilesAdded,
                    compacted.BytesAdded, compacted.Committed
                        ? string.Create(CultureInfo.InvariantCulture, $"compacted {compacted.FilesRemoved} files ({TableMaintenance.Bytes(compacted.BytesRemoved)}) of {compacted.Partitions} partitions into {compacted.FilesAdded} ({TableMaintenance.Bytes(compacted.BytesAdded)}) as version {compacted.Version}")
                        : "nothing to compact: no partition has two or more small files");
            case MaintenanceAction.Vacuum:
                var vacuumed = await maintenance.VacuumAsync(retain, request.Apply, null, cancellationToken);
                return new MaintenanceOutcome(action, vacuumed.Applied, vacuumed.Version, vacuumed.Files, vacuumed.Bytes, 0, 0, string.Create(CultureInfo.InvariantCulture,
                    $"{(vacuumed.Applied ? "deleted" : "would delete")} {vacuumed.Files} files ({TableMaintenance.Bytes(vacuumed.Bytes)}) older than {retain.TotalHours:0.##} hours that no snapshot since {vacuumed.Cutoff:u} reads"))
                {
                    Paths = [.. vacuumed.Paths.Take(200)],
                };
            default:
                var cleaned = await maintenance.CleanLogAsync(retain, request.Apply, cancellationToken);
                return new MaintenanceOutcome(action, cleaned.Applied, cleaned.KeptFrom ?? -1, cleaned.Files, cleaned.Bytes, 0, 0, cleaned.KeptFrom is { } from
                    ? string.Create(CultureInfo.InvariantCulture, $"{(cleaned.Applied ? "deleted" : "would delete")} {cleaned.Files} log files ({TableMaintenance.Bytes(cleaned.Bytes)}) before the checkpoint of version {from}")
                    : string.Create(CultureInfo.InvariantCulture, $"nothing to clean: no checkpoint is older than {retain.TotalHours:0.##} hours"));
        }
    }

    /// <summary>Keeps the stream's lease while a long operation runs; a lease that cannot be renewed is logged, the operation goes on.</summary>
    private async Task RenewAsync(string source, string stream, string holder, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseDuration / 3, time, cancellationToken);
                if (!await state.RenewLeaseAsync(source, stream, holder, LeaseDuration, cancellationToken))
                {
                    logger.LogWarning("The lease of {Source}/{Stream} for table maintenance was lost; a run may start before it ends", source, stream);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            logger.LogWarning(exception, "The lease of {Source}/{Stream} for table maintenance could not be renewed", source, stream);
        }
    }

    private async Task AuditAsync(CallerInfo caller, string action, string target, MaintenanceRequest request, string outcome, MaintenanceOutcome? done = null)
    {
        try
        {
            await audit.AppendAsync(new AuditEntry
            {
                Actor = caller.Name,
                Action = action,
                Target = target,
                Stream = target,
                Before = JsonSerializer.Serialize(new { partition = request.Partition, targetMib = request.TargetMib, retainHours = request.RetainHours }),
                After = done is null ? null : JsonSerializer.Serialize(new
                {
                    summary = done.Summary, version = done.Version, files = done.Files, bytes = done.Bytes, filesAdded = done.FilesAdded, bytesAdded = done.BytesAdded,
                }),
                Outcome = outcome,
            }, CancellationToken.None);
        }
        catch (StoreUnavailableException exception)
        {
            logger.LogError(exception, "The audit entry for {Action} of {Target} could not be written: {Outcome}", action, target, outcome);
        }
    }

    private const string PartitionColumn = "dt";
    private const string RunTransactionPrefix = "opsconsole-run-";

    private static string TablePath(string source, string stream) =>
        StreamCatalog.Find(source, stream) is not null ? LakePaths.Table(source, stream) : throw new KeyNotFoundException($"There is no stream {source}/{stream}.");

    private DeltaLog Log(string path) => new(lake.Storage, path);

    /// <summary>When the newest commit was written (its commitInfo's timestamp).</summary>
    private async Task<DateTimeOffset?> LastCommitAtAsync(string path, long version, CancellationToken cancellationToken)
    {
        if (version < 0)
        {
            return null;
        }
        var info = (await Log(path).ReadCommitAsync(version, cancellationToken)).FirstOrDefault(a => a.CommitInfo is not null)?.CommitInfo;
        return Number(info?.GetValueOrDefault("timestamp")) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    private static TableSummary Summarize(string source, string stream, DeltaSnapshot snapshot, DateTimeOffset? lastCommitAt)
    {
        var files = snapshot.Files.Values;
        var partitions = files.GroupBy(f => f.PartitionValues.GetValueOrDefault(PartitionColumn) ?? "", StringComparer.Ordinal).ToList();
        return new TableSummary(source, stream, LakePaths.Table(source, stream), snapshot.Version, files.Sum(Rows), files.Sum(f => f.Size), snapshot.Files.Count,
            partitions.Count, partitions.Count(p => p.Count(f => f.Size < TableMaintenance.DefaultTargetBytes) >= 2), lastCommitAt);
    }

    /// <summary>A file's rows from its statistics (0 when a writer recorded none).</summary>
    private static long Rows(DeltaAdd file)
    {
        if (file.Stats is not { Length: > 0 } stats)
        {
            return 0;
        }
        try
        {
            using var json = JsonDocument.Parse(stats);
            return json.RootElement.TryGetProperty("numRecords", out var records) && records.TryGetInt64(out var count) ? count : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private static long? Number(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } element when element.TryGetInt64(out var number) => number,
        long number => number,
        _ => null,
    };

    private static string? Text(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        string text => text,
        _ => null,
    };
}
