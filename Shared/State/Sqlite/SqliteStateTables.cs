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
        CREATE TABLE IF NOT EXISTS slice_queue (
            source TEXT NOT NULL, stream TEXT NOT NULL, run TEXT NOT NULL, slice_from INTEGER NOT NULL, slice_to INTEGER NOT NULL,
            holder TEXT NULL, lease_until INTEGER NULL, done INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (source, stream, run, slice_from, slice_to));
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

    public async Task QueueSlicesAsync(string source, string stream, string run, IReadOnlyList<SliceRange> slices, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var transaction = connection.BeginTransaction();
        Queue(connection, transaction, source, stream, run, slices);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void Queue(SqliteConnection connection, SqliteTransaction transaction, string source, string stream, string run, IReadOnlyList<SliceRange> slices)
    {
        foreach (var slice in slices)
        {
            using var command = Command(connection, """
                INSERT INTO slice_queue (source, stream, run, slice_from, slice_to) VALUES ($source, $stream, $run, $from, $to) ON CONFLICT DO NOTHING
                """, ("$source", source), ("$stream", stream), ("$run", run), ("$from", slice.From), ("$to", slice.To));
            command.Transaction = transaction;
            command.ExecuteNonQuery();
        }
    }

    public async Task<SliceClaim?> ClaimSliceAsync(string source, string stream, string run, string holder, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = Open();
        // BEGIN IMMEDIATE: the read and the write below are one step for every process on the file.
        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            SliceClaim? claim = null;
            await using (var find = Command(connection, """
                SELECT slice_from, slice_to, holder FROM slice_queue
                WHERE source = $source AND stream = $stream AND run = $run AND done = 0 AND (holder IS NULL OR lease_until <= $now)
                ORDER BY slice_to DESC LIMIT 1
                """, ("$source", source), ("$stream", stream), ("$run", run), ("$now", now)))
            await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    claim = new SliceClaim(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                }
            }
            if (claim is not null)
            {
                await using var take = Command(connection, """
                    UPDATE slice_queue SET holder = $holder, lease_until = $until
                    WHERE source = $source AND stream = $stream AND run = $run AND slice_from = $from AND slice_to = $to
                    """, ("$source", source), ("$stream", stream), ("$run", run), ("$from", claim.From), ("$to", claim.To),
                    ("$holder", holder), ("$until", now + (long)lease.TotalMilliseconds));
                await take.ExecuteNonQueryAsync(cancellationToken);
            }
            Execute(connection, "COMMIT;");
            return claim;
        }
        catch
        {
            Execute(connection, "ROLLBACK;");
            throw;
        }
    }

    public async Task<bool> RenewSliceAsync(string source, string stream, string run, SliceRange slice, string holder, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, """
            UPDATE slice_queue SET lease_until = $until
            WHERE source = $source AND stream = $stream AND run = $run AND slice_from = $from AND slice_to = $to AND holder = $holder AND done = 0
            """, ("$source", source), ("$stream", stream), ("$run", run), ("$from", slice.From), ("$to", slice.To), ("$holder", holder),
            ("$until", (_time.GetUtcNow() + lease).ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> FinishSliceAsync(string source, string stream, string run, SliceRange slice, string holder, CompletedSlice? done, IReadOnlyList<SliceRange> pieces,
        CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var transaction = connection.BeginTransaction();
        await using (var finish = Command(connection, """
            UPDATE slice_queue SET done = 1, holder = NULL, lease_until = NULL
            WHERE source = $source AND stream = $stream AND run = $run AND slice_from = $from AND slice_to = $to AND holder = $holder AND done = 0
            """, ("$source", source), ("$stream", stream), ("$run", run), ("$from", slice.From), ("$to", slice.To), ("$holder", holder)))
        {
            finish.Transaction = transaction;
            if (await finish.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }
        if (done is not null)
        {
            await using var record = Command(connection, """
                INSERT INTO slice_progress (source, stream, run, slice_from, slice_to, records) VALUES ($source, $stream, $run, $from, $to, $records)
                ON CONFLICT DO UPDATE SET records = $records
                """, ("$source", source), ("$stream", stream), ("$run", run), ("$from", done.From), ("$to", done.To), ("$records", done.Records));
            record.Transaction = transaction;
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        Queue(connection, transaction, source, stream, run, pieces);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<SliceQueueStatus> SliceQueueAsync(string source, string stream, string run, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = Command(connection, """
            SELECT COUNT(*), COALESCE(SUM(done), 0), COALESCE(SUM(CASE WHEN done = 0 AND lease_until > $now THEN 1 ELSE 0 END), 0),
                   (SELECT COALESCE(SUM(records), 0) FROM slice_progress p WHERE p.source = $source AND p.stream = $stream AND p.run = $run)
            FROM slice_queue WHERE source = $source AND stream = $stream AND run = $run
            """, ("$source", source), ("$stream", stream), ("$run", run), ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SliceQueueStatus(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3));
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
