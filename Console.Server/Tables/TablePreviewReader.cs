using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Microsoft.Extensions.Options;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Tables;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Tables;

/// <summary>
/// A table's first rows through DuckDB, in process: the log picks the files (the version asked for, the <c>dt</c>
/// partition, files whose <c>id</c> statistics can hold the id, and only as many as the limit needs), the files are
/// copied to a private temporary folder under names this class makes (from a folder on this machine or from S3
/// alike), and DuckDB reads them there. No parameter reaches the SQL as text: <c>dt</c> and the version only choose
/// files, the id is a bound parameter, the limit a checked integer. Values of personal columns leave masked unless the
/// caller is an admin.
/// </summary>
internal sealed partial class TablePreviewReader(IOptions<TableOptions> options, ILogger<TablePreviewReader> logger) : IDisposable
{
    /// <summary>A preview that would need more files than this asks for a narrower filter instead.</summary>
    public const int MaxFiles = 200;

    /// <summary>... or more bytes than this (what it copies to the temporary folder).</summary>
    public const long MaxBytes = 512L << 20;

    /// <summary>Previews run one at a time per console: each may take DuckDB's memory limit and a copy of its files.</summary>
    private readonly SemaphoreSlim _one = new(1, 1);

    private const string IdColumn = "id";
    private const string CreatedColumn = "created";
    private const string PartitionColumn = "dt";

    public void Dispose() => _one.Dispose();

    public async Task<TablePreview> ReadAsync(ILakeStorage storage, DeltaLog log, PreviewQuery query, CallerInfo caller, CancellationToken cancellationToken)
    {
        Validate(query);
        DeltaSnapshot snapshot;
        try
        {
            snapshot = await log.ReadSnapshotAsync(query.Version, cancellationToken);
        }
        catch (InvalidDataException exception) when (query.Version is not null)
        {
            throw new InvalidFieldException("version", exception.Message);
        }
        if (snapshot.Metadata is not { } metadata)
        {
            return new TablePreview(snapshot.Version, [], [], [], 0);
        }
        var columns = DeltaSchema.Columns(metadata).Select(c => c.Name).Append(PartitionColumn).ToList();
        var masked = caller.Role >= ConsoleRole.Admin ? [] : columns.Where(options.Value.IsPersonal).ToList();
        var files = Choose(snapshot, query);
        if (files.Count == 0)
        {
            return new TablePreview(snapshot.Version, columns, [], masked, 0);
        }
        await _one.WaitAsync(cancellationToken);
        DirectoryInfo folder;
        try
        {
            folder = Directory.CreateTempSubdirectory("opsconsole-preview-");
        }
        catch
        {
            _one.Release();
            throw;
        }
        try
        {
            var partitions = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < files.Count; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"f{i}.parquet");
                await using (var source = await storage.OpenReadAsync($"{log.TablePath}/{files[i].Path}", cancellationToken)
                    ?? throw Missing(query, log, files[i].Path))
                await using (var copy = File.Create(Path.Combine(folder.FullName, name)))
                {
                    await source.CopyToAsync(copy, cancellationToken);
                }
                partitions[name] = files[i].PartitionValues.GetValueOrDefault(PartitionColumn);
            }
            var rows = await QueryAsync(folder.FullName, columns, partitions, query, cancellationToken);
            foreach (var row in rows)
            {
                foreach (var column in masked)
                {
                    var index = columns.IndexOf(column);
                    row[index] = row[index] is null ? null : TablePreview.MaskText;
                }
            }
            return new TablePreview(snapshot.Version, columns, rows, masked, files.Count);
        }
        catch (DuckDBException exception)
        {
            throw new InvalidDataException($"DuckDB could not read the table's files: {exception.Message}", exception);
        }
        finally
        {
            _one.Release();
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException exception)
            {
                logger.LogWarning(exception, "The preview's temporary folder {Folder} could not be removed", folder.FullName);
            }
        }
    }

    private static async Task<List<object?[]>> QueryAsync(string folder, List<string> columns, Dictionary<string, string?> partitions, PreviewQuery query,
        CancellationToken cancellationToken)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(cancellationToken);
        await using (var settings = connection.CreateCommand())
        {
            settings.CommandText = "SET threads = 2; SET memory_limit = '512MB';";
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = connection.CreateCommand();
        // The folder is this process's own temporary folder (letters, digits, '/', '-', '_', '.'), checked before use.
        if (!SafeFolder().IsMatch(folder))
        {
            throw new InvalidOperationException($"The temporary folder {folder} has a name DuckDB's path literal cannot hold.");
        }
        var where = "";
        if (query.Id is { } id)
        {
            where = $" WHERE \"{IdColumn}\" = $id";
            command.Parameters.Add(new DuckDBParameter("id", id));
        }
        command.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"SELECT * FROM read_parquet('{folder}/*.parquet', union_by_name = true, filename = true){where} ORDER BY \"{CreatedColumn}\" DESC, \"{IdColumn}\" LIMIT {query.Limit}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var positions = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => i, StringComparer.Ordinal);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                if (columns[c] == PartitionColumn)
                {
                    row[c] = partitions.GetValueOrDefault(Path.GetFileName(reader.GetString(positions["filename"])));
                }
                else if (positions.TryGetValue(columns[c], out var position) && !reader.IsDBNull(position))
                {
                    row[c] = reader.GetValue(position) switch
                    {
                        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
                        var value => value,
                    };
                }
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The files that can hold the rows asked for, newest partition first, as few as the limit needs.</summary>
    private static List<DeltaAdd> Choose(DeltaSnapshot snapshot, PreviewQuery query)
    {
        var candidates = snapshot.Files.Values
            .Where(f => query.Dt is null || f.PartitionValues.GetValueOrDefault(PartitionColumn) == query.Dt)
            .Where(f => query.Id is null || MayHold(f, query.Id))
            .OrderByDescending(f => f.PartitionValues.GetValueOrDefault(PartitionColumn), StringComparer.Ordinal)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        if (query.Id is null)
        {
            // Rows are newest first, and a newer partition holds newer rows: its files until the limit is reached.
            var chosen = new List<DeltaAdd>();
            long rows = 0;
            foreach (var group in candidates.GroupBy(f => f.PartitionValues.GetValueOrDefault(PartitionColumn)))
            {
                chosen.AddRange(group);
                rows += group.Sum(f => Records(f) ?? query.Limit);
                if (rows >= query.Limit)
                {
                    break;
                }
            }
            candidates = chosen;
        }
        if (candidates.Count > MaxFiles || candidates.Sum(f => f.Size) > MaxBytes)
        {
            throw new InvalidFieldException(query.Id is null ? "dt" : "id", string.Create(CultureInfo.InvariantCulture,
                $"the preview would read {candidates.Count} files of {candidates.Sum(f => f.Size) / (1 << 20):N0} MiB (at most {MaxFiles} files, {MaxBytes >> 20} MiB): add dt to narrow it."));
        }
        return candidates;
    }

    /// <summary>Whether a file's statistics allow it to hold <paramref name="id"/> (a file without them may).</summary>
    private static bool MayHold(DeltaAdd file, string id)
    {
        if (file.Stats is not { Length: > 0 } stats)
        {
            return true;
        }
        try
        {
            using var json = JsonDocument.Parse(stats);
            return !(json.RootElement.TryGetProperty("minValues", out var min) && min.TryGetProperty(IdColumn, out var low) && string.CompareOrdinal(id, low.GetString()) < 0)
                && !(json.RootElement.TryGetProperty("maxValues", out var max) && max.TryGetProperty(IdColumn, out var high) && string.CompareOrdinal(id, high.GetString()) > 0);
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static long? Records(DeltaAdd file)
    {
        try
        {
            using var json = JsonDocument.Parse(file.Stats ?? "");
            return json.RootElement.TryGetProperty("numRecords", out var records) && records.TryGetInt64(out var count) ? count : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Exception Missing(PreviewQuery query, DeltaLog log, string path) => query.Version is { } version
        ? new InvalidFieldException("version", $"version {version} reads {path}, which is no longer in the lake (a vacuum removed it): pick a newer version.")
        : new InvalidDataException($"{log.TablePath}/{path} is in the commit log but not in the lake.");

    private static void Validate(PreviewQuery query)
    {
        if (query.Limit is < 1 or > PreviewQuery.MaxLimit)
        {
            throw new InvalidFieldException("limit", $"must be between 1 and {PreviewQuery.MaxLimit}.");
        }
        if (query.Version is < 0)
        {
            throw new InvalidFieldException("version", "must be a version of the table, 0 or more.");
        }
        if (query.Dt is { } dt && !DateOnly.TryParseExact(dt, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new InvalidFieldException("dt", $"'{InvalidFieldException.Quote(dt)}' is not a date (yyyy-MM-dd).");
        }
        if (query.Id is { } id && (id.Length is 0 or > 255 || id.Any(char.IsControl)))
        {
            throw new InvalidFieldException("id", "must be 1 to 255 characters without control characters.");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9/._-]+$")]
    private static partial Regex SafeFolder();
}
