using System.Text;
using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Audit;

namespace OpsConsole.Server.Audit;

/// <summary>
/// The audit log in the embedded database. This class only inserts and reads; triggers in the schema refuse any
/// UPDATE or DELETE of an entry, whoever issues it.
/// </summary>
internal sealed class SqliteAuditLog(SqliteDatabase database, TimeProvider time, ILogger<SqliteAuditLog> logger) : IAuditLog
{
    public const int MaxLimit = 1000;

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        try
        {
            return await AppendCoreAsync(entry, cancellationToken);
        }
        catch (SqliteException exception)
        {
            throw database.Unavailable(exception);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        try
        {
            return await QueryCoreAsync(query, cancellationToken);
        }
        catch (SqliteException exception)
        {
            throw database.Unavailable(exception);
        }
    }

    private async Task<AuditEntry> AppendCoreAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var written = await InsertAsync(connection, null, entry, time, cancellationToken);
        logger.LogInformation("Audit {Id}: {Actor} {Action} {Target} ({Outcome})", written.Id, entry.Actor, entry.Action, entry.Target, entry.Outcome);
        return written;
    }

    /// <summary>
    /// Inserts an entry on <paramref name="connection"/>, within <paramref name="transaction"/> when given: an action
    /// stored in this database writes its entry in its own transaction, so the action and its entry land together or
    /// not at all.
    /// </summary>
    public static async Task<AuditEntry> InsertAsync(SqliteConnection connection, SqliteTransaction? transaction, AuditEntry entry, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var at = entry.At == default ? time.GetUtcNow() : entry.At;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO audit (at, actor, action, target, stream, before, after, reason, outcome)
            VALUES ($at, $actor, $action, $target, $stream, $before, $after, $reason, $outcome)
            RETURNING id
            """;
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$actor", entry.Actor);
        command.Parameters.AddWithValue("$action", entry.Action);
        command.Parameters.AddWithValue("$target", entry.Target);
        command.Parameters.AddWithValue("$stream", (object?)entry.Stream ?? DBNull.Value);
        command.Parameters.AddWithValue("$before", (object?)entry.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", (object?)entry.After ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", (object?)entry.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$outcome", entry.Outcome);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return entry with { Id = id, At = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()) };
    }

    public async Task<int> CountAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM audit" + Where(query, command);
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException exception)
        {
            throw database.Unavailable(exception);
        }
    }

    /// <summary>The query's filters as a WHERE clause, their values bound to <paramref name="command"/>.</summary>
    private static string Where(AuditQuery query, SqliteCommand command)
    {
        var sql = new StringBuilder(" WHERE 1 = 1");
        void Filter(string clause, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(clause);
                command.Parameters.AddWithValue(name, value);
            }
        }
        Filter("actor = $actor COLLATE NOCASE", "$actor", query.Actor);
        Filter("action = $action", "$action", query.Action);
        Filter("stream = $stream", "$stream", query.Stream);
        Filter("at >= $from", "$from", query.From?.ToUnixTimeMilliseconds());
        Filter("at < $to", "$to", query.To?.ToUnixTimeMilliseconds());
        Filter("id < $before", "$before", query.Before);
        return sql.ToString();
    }

    private async Task<IReadOnlyList<AuditEntry>> QueryCoreAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, actor, action, target, stream, before, after, reason, outcome FROM audit" + Where(query, command)
            + (query.OldestFirst ? " ORDER BY id ASC" : " ORDER BY id DESC") + " LIMIT $limit OFFSET $offset";
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, MaxLimit));
        command.Parameters.AddWithValue("$offset", Math.Max(query.Offset, 0));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry
            {
                Id = reader.GetInt64(0),
                At = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                Actor = reader.GetString(2),
                Action = reader.GetString(3),
                Target = reader.GetString(4),
                Stream = NullableString(reader, 5),
                Before = NullableString(reader, 6),
                After = NullableString(reader, 7),
                Reason = NullableString(reader, 8),
                Outcome = reader.GetString(9),
            });
        }
        return entries;
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
