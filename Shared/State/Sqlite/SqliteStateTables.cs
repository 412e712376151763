using Microsoft.Data.Sqlite;
using OpsConsole.Shared.Quality;

namespace OpsConsole.Shared.State.Sqlite;

/// <summary>
/// The state store's tables in a SQLite file (WAL, shared by the console and the job processes). Conditional writes
/// are single statements guarded by the expected version inside a transaction, so two writers cannot both win.
/// <see cref="SqliteStateStore"/> puts these behind <see cref="IStateStore"/> and translates SQLite's errors.
/// </summary>
internal sealed class SqliteStateTables : IStateStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS checkpoints (
            source TEXT NOT NULL, stream TEXT NOT NULL, cursor INTEGER NULL, version INTEGER NOT NULL,
            updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY (source, stream));
        CREATE TABLE IF NOT EXISTS checkpoint_history (
            source TEXT NOT NULL, stream TEXT NOT NULL, version INTEGER NOT NULL, cursor INTEGER NULL, previous_cursor INTEGER NULL,
            updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY (source, stream, version));
        CREATE TABLE IF NOT EXISTS stream_leases (
            source TEXT NOT NULL, stream TEXT NOT NULL, holder TEXT NOT NULL, expires_at INTEGER NOT NULL,
            PRIMARY KEY (source, stream));
        CREATE TABLE IF NOT EXISTS slice_progress (
            source TEXT NOT NULL, stream TEXT NOT NULL, run TEXT NOT NULL, slice_from INTEGER NOT NULL, slice_to INTEGER NOT NULL,
            records INTEGER NOT NULL, PRIMARY KEY (source, stream, run, slice_from, slice_to));
        CREATE TABLE IF NOT EXISTS quality_reports (
            run_id TEXT NOT NULL PRIMARY KEY, source TEXT NOT NULL, stream TEXT NOT NULL, at INTEGER NOT NULL,
            outcome TEXT NOT NULL, report TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS quality_reports_by_stream ON quality_reports (source, stream, at);
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public SqliteStateTables(string file, TimeProvider? time = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        _time = time ?? TimeProvider.System;
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode = WAL;" + Schema);
    }

    public async Task<Checkpoint?> GetCheckpointAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        return (await QueryCheckpointsAsync(connection, "WHERE source = $source AND stream = $stream", null,
            [("$source", source), ("$stream", stream)], cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Checkpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        return await QueryCheckpointsAsync(connection, "ORDER BY source, stream", null, [], cancellationToken);
    }

    public async Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, """
            SELECT version, cursor, previous_cursor, updated_at, updated_by, reason FROM checkpoint_history
            WHERE source = $source AND stream = $stream ORDER BY version DESC
            """, ("$source", source), ("$stream", stream));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var history = new List<CheckpointVersion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            history.Add(new CheckpointVersion(reader.GetInt64(0), NullableLong(reader, 1), NullableLong(reader, 2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4), reader.GetString(5)));
        }
        return history;
    }

    public async Task<Checkpoint> WriteCheckpointAsync(string source, string stream, long? cursor, long expectedVersion, string updatedBy, string reason,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A checkpoint change needs a reason.", nameof(reason));
        }
        var now = _time.GetUtcNow();
        await using var connection = Open();
        // BEGIN IMMEDIATE: the write lock is taken before the version is read, so two writers cannot both see it.
        await using var transaction = connection.BeginTransaction(deferred: false);

        var current = (await QueryCheckpointsAsync(connection, "WHERE source = $source AND stream = $stream", transaction,
            [("$source", source), ("$stream", stream)], cancellationToken)).SingleOrDefault();
        var actual = current?.Version ?? 0;
        if (actual != expectedVersion)
        {
            throw new CheckpointConflictException(source, stream, expectedVersion, actual);
        }

        var version = actual + 1;
        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO checkpoints (source, stream, cursor, version, updated_at, updated_by, reason)
                VALUES ($source, $stream, $cursor, $version, $now, $by, $reason)
                ON CONFLICT (source, stream) DO UPDATE SET cursor = $cursor, version = $version, updated_at = $now, updated_by = $by, reason = $reason
                WHERE checkpoints.version = $expected;
                INSERT INTO checkpoint_history (source, stream, version, cursor, previous_cursor, updated_at, updated_by, reason)
                VALUES ($source, $stream, $version, $cursor, $previous, $now, $by, $reason);
                """;
            upsert.Parameters.AddWithValue("$source", source);
            upsert.Parameters.AddWithValue("$stream", stream);
            upsert.Parameters.AddWithValue("$cursor", (object?)cursor ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$previous", (object?)current?.Cursor ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$version", version);
            upsert.Parameters.AddWithValue("$expected", expectedVersion);
            upsert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            upsert.Parameters.AddWithValue("$by", updatedBy);
            upsert.Parameters.AddWithValue("$reason", reason);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new Checkpoint(source, stream, cursor, version, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), updatedBy, reason);
    }

    public async Task<StreamLease> AcquireLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        // One statement: insert, or take over an expired lease; a live lease of someone else is left alone.
        command.CommandText = """
            INSERT INTO stream_leases (source, stream, holder, expires_at) VALUES ($source, $stream, $holder, $expires)
            ON CONFLICT (source, stream) DO UPDATE SET holder = $holder, expires_at = $expires
            WHERE stream_leases.expires_at <= $now OR stream_leases.holder = $holder
            """;
        command.Parameters.AddWithValue("$source", source);
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$holder", holder);
        command.Parameters.AddWithValue("$expires", (now + duration).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return new StreamLease(source, stream, holder, DateTimeOffset.FromUnixTimeMilliseconds((now + duration).ToUnixTimeMilliseconds()));
        }
        throw new StreamLeaseHeldException(await GetLeaseAsync(source, stream, cancellationToken)
            ?? new StreamLease(source, stream, "another holder", now));
    }

    public async Task<bool> RenewLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "UPDATE stream_leases SET expires_at = $expires WHERE source = $source AND stream = $stream AND holder = $holder",
            ("$source", source), ("$stream", stream), ("$holder", holder), ("$expires", (_time.GetUtcNow() + duration).ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseLeaseAsync(string source, string stream, string holder, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "DELETE FROM stream_leases WHERE source = $source AND stream = $stream AND holder = $holder",
            ("$source", source), ("$stream", stream), ("$holder", holder));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<StreamLease?> GetLeaseAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT holder, expires_at FROM stream_leases WHERE source = $source AND stream = $stream AND expires_at > $now",
            ("$source", source), ("$stream", stream), ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StreamLease(source, stream, reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
    }

    public async Task RecordSliceAsync(string source, string stream, string run, CompletedSlice slice, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, """
            INSERT INTO slice_progress (source, stream, run, slice_from, slice_to, records) VALUES ($source, $stream, $run, $from, $to, $records)
            ON CONFLICT DO UPDATE SET records = $records
            """, ("$source", source), ("$stream", stream), ("$run", run), ("$from", slice.From), ("$to", slice.To), ("$records", slice.Records));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CompletedSlice>> CompletedSlicesAsync(string source, string stream, string run, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT slice_from, slice_to, records FROM slice_progress WHERE source = $source AND stream = $stream AND run = $run ORDER BY slice_from",
            ("$source", source), ("$stream", stream), ("$run", run));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var slices = new List<CompletedSlice>();
        while (await reader.ReadAsync(cancellationToken))
        {
            slices.Add(new CompletedSlice(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return slices;
    }

    public async Task SaveQualityReportAsync(QualityReport report, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, """
            INSERT INTO quality_reports (run_id, source, stream, at, outcome, report) VALUES ($run, $source, $stream, $at, $outcome, $report)
            ON CONFLICT (run_id) DO UPDATE SET at = $at, outcome = $outcome, report = $report
            """, ("$run", report.RunId), ("$source", report.Source), ("$stream", report.Stream), ("$at", report.At),
            ("$outcome", report.Outcome), ("$report", report.ToJson()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<QualityReport?> GetQualityReportAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, "SELECT report FROM quality_reports WHERE run_id = $run", ("$run", runId));
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? QualityReport.FromJson(json) : null;
    }

    public async Task<IReadOnlyList<QualityReport>> QualityReportsAsync(string source, string stream, int limit, bool committedOnly = false,
        CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, $"""
            SELECT report FROM quality_reports WHERE source = $source AND stream = $stream
            {(committedOnly ? "AND outcome <> 'blocked'" : "")} ORDER BY at DESC, run_id DESC LIMIT $limit
            """, ("$source", source), ("$stream", stream), ("$limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reports = new List<QualityReport>();
        while (await reader.ReadAsync(cancellationToken))
        {
            reports.Add(QualityReport.FromJson(reader.GetString(0)));
        }
        return reports;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<List<Checkpoint>> QueryCheckpointsAsync(SqliteConnection connection, string where,
        SqliteTransaction? transaction, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT source, stream, cursor, version, updated_at, updated_by, reason FROM checkpoints {where}";
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checkpoints = new List<Checkpoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            checkpoints.Add(new Checkpoint(reader.GetString(0), reader.GetString(1), NullableLong(reader, 2), reader.GetInt64(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetString(5), reader.GetString(6)));
        }
        return checkpoints;
    }

    private static long? NullableLong(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
