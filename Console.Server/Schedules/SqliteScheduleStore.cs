using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Schedules;

namespace OpsConsole.Server.Schedules;

/// <summary>A schedule's definition, validated and normalized.</summary>
internal sealed record ScheduleDefinition(string Name, string Source, string Stream, string Cron, string TimeZone, bool Enabled, string Overlap,
    string CatchUp, int CatchUpLimit, int JitterSeconds, string Mode, int? Workers, int Retries = 0, int RetryBackoffSeconds = Shared.Runs.RetryPolicy.DefaultBackoffSeconds);

/// <summary>A schedule as stored: its definition, who made and changed it, and how far its fire times are decided.</summary>
internal sealed record StoredSchedule(ScheduleDefinition Definition, string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt,
    DateTimeOffset FiredThrough);

/// <summary>A backfill as stored (its pieces are read with their runs' states).</summary>
internal sealed record BackfillRecord(string Id, string Source, string Stream, long From, long To, string Step, int? Workers, string State, string? Failure,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// Schedules and their fire times, and backfills with their pieces, in the console's SQLite database. Deciding fire times is conditional on how far
/// they were decided before, and a fire is claimed for launching by a conditional update: two schedulers on one
/// database cannot both launch a fire time. SQLite's errors leave as <see cref="Shared.Storage.StoreUnavailableException"/>.
/// </summary>
internal sealed class SqliteScheduleStore(SqliteDatabase database)
{
    private const string Columns = "name, source, stream, cron, time_zone, enabled, overlap, catch_up, catch_up_limit, jitter_seconds, mode, workers, "
                                   + "created_by, created_at, updated_by, updated_at, fired_through, retries, retry_backoff_seconds";

    private const string FireColumns = "schedule, fire_at, due_at, outcome, run_id, detail, catch_up, updated_at";

    public Task<IReadOnlyList<StoredSchedule>> ListAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM schedules ORDER BY name", _ => { }, ReadSchedule, cancellationToken);

    public async Task<StoredSchedule?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM schedules WHERE name = $name", command => command.Parameters.AddWithValue("$name", name), ReadSchedule,
            cancellationToken)).SingleOrDefault();

    /// <summary>Adds a schedule whose fire times start after <paramref name="at"/>; false when the name is taken.</summary>
    public Task<bool> InsertAsync(ScheduleDefinition definition, string by, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO schedules ({Columns}) VALUES ($name, $source, $stream, $cron, $zone, $enabled, $overlap, $catch_up, $limit, "
                                  + "$jitter, $mode, $workers, $by, $at, $by, $at, $at, $retries, $backoff) ON CONFLICT (name) DO NOTHING";
            Bind(command, definition, by, at);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <summary>
    /// Replaces a schedule's definition; its fire times are decided from <paramref name="at"/> on (a changed or
    /// resumed schedule never fires for the time before the change). False when there is no such schedule.
    /// </summary>
    public Task<bool> UpdateAsync(ScheduleDefinition definition, string by, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE schedules SET source = $source, stream = $stream, cron = $cron, time_zone = $zone, enabled = $enabled, overlap = $overlap,
                    catch_up = $catch_up, catch_up_limit = $limit, jitter_seconds = $jitter, mode = $mode, workers = $workers, retries = $retries,
                    retry_backoff_seconds = $backoff, updated_by = $by,
                    updated_at = $at, fired_through = MAX(fired_through, $at)
                WHERE name = $name
                """;
            Bind(command, definition, by, at);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <summary>Deletes a schedule and its fire times; false when there is none.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM schedules WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <summary>
    /// Records the fire times decided since <paramref name="expected"/> up to <paramref name="through"/> in one
    /// transaction; false, with nothing written, when another scheduler moved the schedule on first (or it changed).
    /// </summary>
    public Task<bool> DecideAsync(string name, DateTimeOffset expected, DateTimeOffset through, IReadOnlyList<ScheduleFire> fires,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using (var advance = connection.CreateCommand())
            {
                advance.Transaction = transaction;
                advance.CommandText = "UPDATE schedules SET fired_through = $through WHERE name = $name AND fired_through = $expected";
                advance.Parameters.AddWithValue("$name", name);
                advance.Parameters.AddWithValue("$expected", expected.ToUnixTimeMilliseconds());
                advance.Parameters.AddWithValue("$through", through.ToUnixTimeMilliseconds());
                if (await advance.ExecuteNonQueryAsync(cancellationToken) != 1)
                {
                    return false;
                }
            }
            foreach (var fire in fires)
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO schedule_fires ({FireColumns}) VALUES ($schedule, $fire_at, $due_at, $outcome, NULL, $detail, $catch_up, $at) "
                                     + "ON CONFLICT (schedule, fire_at) DO NOTHING";
                insert.Parameters.AddWithValue("$schedule", name);
                insert.Parameters.AddWithValue("$fire_at", fire.FireAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$due_at", fire.DueAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$outcome", fire.Outcome);
                insert.Parameters.AddWithValue("$detail", (object?)fire.Detail ?? DBNull.Value);
                insert.Parameters.AddWithValue("$catch_up", fire.CatchUp ? 1 : 0);
                insert.Parameters.AddWithValue("$at", fire.UpdatedAt.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Fires waiting to launch (pending or being launched) of every schedule, oldest first.</summary>
    public Task<IReadOnlyList<ScheduleFire>> OpenFiresAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {FireColumns} FROM schedule_fires WHERE outcome IN ('pending', 'launching') ORDER BY fire_at, schedule", _ => { }, ReadFire,
            cancellationToken);

    /// <summary>A schedule's fire times, newest first.</summary>
    public Task<IReadOnlyList<ScheduleFire>> FiresAsync(string name, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {FireColumns} FROM schedule_fires WHERE schedule = $name ORDER BY fire_at DESC LIMIT $limit", command =>
        {
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$limit", limit);
        }, ReadFire, cancellationToken);

    /// <summary>Every schedule's newest fire time.</summary>
    public Task<IReadOnlyList<ScheduleFire>> LastFiresAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"""
            SELECT {FireColumns} FROM schedule_fires f
            WHERE fire_at = (SELECT MAX(fire_at) FROM schedule_fires g WHERE g.schedule = f.schedule)
            """, _ => { }, ReadFire, cancellationToken);

    /// <summary>
    /// Moves a fire from <paramref name="from"/> to <paramref name="outcome"/>; false when it was no longer in
    /// <paramref name="from"/> (another scheduler took it).
    /// </summary>
    public Task<bool> SettleAsync(string name, DateTimeOffset fireAt, string from, string outcome, string? runId, string? detail, DateTimeOffset at,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE schedule_fires SET outcome = $outcome, run_id = COALESCE($run, run_id), detail = $detail, updated_at = $at
                WHERE schedule = $name AND fire_at = $fire_at AND outcome = $from
                """;
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$fire_at", fireAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$from", from);
            command.Parameters.AddWithValue("$outcome", outcome);
            command.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
            command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    private const string BackfillColumns = "id, source, stream, window_from, window_to, step, workers, state, failure, created_by, created_at, updated_at";

    /// <summary>Records a backfill and its pieces ([from, to) in unix seconds, in order) in one transaction.</summary>
    public Task InsertBackfillAsync(BackfillRecord backfill, IReadOnlyList<(long From, long To)> pieces, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO backfills ({BackfillColumns}) VALUES ($id, $source, $stream, $from, $to, $step, $workers, $state, NULL, $by, $at, $at)";
                insert.Parameters.AddWithValue("$id", backfill.Id);
                insert.Parameters.AddWithValue("$source", backfill.Source);
                insert.Parameters.AddWithValue("$stream", backfill.Stream);
                insert.Parameters.AddWithValue("$from", backfill.From);
                insert.Parameters.AddWithValue("$to", backfill.To);
                insert.Parameters.AddWithValue("$step", backfill.Step);
                insert.Parameters.AddWithValue("$workers", (object?)backfill.Workers ?? DBNull.Value);
                insert.Parameters.AddWithValue("$state", backfill.State);
                insert.Parameters.AddWithValue("$by", backfill.CreatedBy);
                insert.Parameters.AddWithValue("$at", backfill.CreatedAt.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            for (var i = 0; i < pieces.Count; i++)
            {
                await using var piece = connection.CreateCommand();
                piece.Transaction = transaction;
                piece.CommandText = "INSERT INTO backfill_pieces (backfill, idx, window_from, window_to, run_id) VALUES ($id, $idx, $from, $to, NULL)";
                piece.Parameters.AddWithValue("$id", backfill.Id);
                piece.Parameters.AddWithValue("$idx", i);
                piece.Parameters.AddWithValue("$from", pieces[i].From);
                piece.Parameters.AddWithValue("$to", pieces[i].To);
                await piece.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Backfills newest first (all, or those in <paramref name="state"/>).</summary>
    public Task<IReadOnlyList<BackfillRecord>> BackfillsAsync(int limit, string? state = null, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {BackfillColumns} FROM backfills WHERE $state IS NULL OR state = $state ORDER BY created_at DESC, id DESC LIMIT $limit", command =>
        {
            command.Parameters.AddWithValue("$state", (object?)state ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
        }, ReadBackfill, cancellationToken);

    public async Task<BackfillRecord?> BackfillAsync(string id, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {BackfillColumns} FROM backfills WHERE id = $id", command => command.Parameters.AddWithValue("$id", id), ReadBackfill,
            cancellationToken)).SingleOrDefault();

    /// <summary>A backfill's pieces in order, each with its run's state (null before it launched).</summary>
    public Task<IReadOnlyList<BackfillPiece>> PiecesAsync(string id, CancellationToken cancellationToken = default) =>
        QueryAsync("""
            SELECT p.idx, p.window_from, p.window_to, p.run_id, r.state FROM backfill_pieces p LEFT JOIN runs r ON r.id = p.run_id
            WHERE p.backfill = $id ORDER BY p.idx
            """, command => command.Parameters.AddWithValue("$id", id), reader => new BackfillPiece(reader.GetInt32(0),
            DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)), cancellationToken);

    /// <summary>Moves a backfill to <paramref name="state"/> when it is in one of <paramref name="from"/>; false otherwise.</summary>
    public Task<bool> SetBackfillStateAsync(string id, IReadOnlyList<string> from, string state, string? failure, DateTimeOffset at,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE backfills SET state = $state, failure = $failure, updated_at = $at WHERE id = $id AND state IN ({string.Join(", ", from.Select((_, i) => $"$from{i}"))})";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$state", state);
            command.Parameters.AddWithValue("$failure", (object?)failure ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            for (var i = 0; i < from.Count; i++)
            {
                command.Parameters.AddWithValue($"$from{i}", from[i]);
            }
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <summary>Sets a piece's run when it still has <paramref name="expected"/> (null: not launched yet); false otherwise.</summary>
    public Task<bool> SetPieceRunAsync(string id, int index, string? expected, string? runId, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE backfill_pieces SET run_id = $run WHERE backfill = $id AND idx = $idx AND run_id IS $expected";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$idx", index);
            command.Parameters.AddWithValue("$expected", (object?)expected ?? DBNull.Value);
            command.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    private static BackfillRecord ReadBackfill(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
        reader.GetInt64(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.GetString(9), Time(reader.GetInt64(10)), Time(reader.GetInt64(11)));

    private static void Bind(SqliteCommand command, ScheduleDefinition definition, string by, DateTimeOffset at)
    {
        command.Parameters.AddWithValue("$name", definition.Name);
        command.Parameters.AddWithValue("$source", definition.Source);
        command.Parameters.AddWithValue("$stream", definition.Stream);
        command.Parameters.AddWithValue("$cron", definition.Cron);
        command.Parameters.AddWithValue("$zone", definition.TimeZone);
        command.Parameters.AddWithValue("$enabled", definition.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$overlap", definition.Overlap);
        command.Parameters.AddWithValue("$catch_up", definition.CatchUp);
        command.Parameters.AddWithValue("$limit", definition.CatchUpLimit);
        command.Parameters.AddWithValue("$jitter", definition.JitterSeconds);
        command.Parameters.AddWithValue("$mode", definition.Mode);
        command.Parameters.AddWithValue("$workers", (object?)definition.Workers ?? DBNull.Value);
        command.Parameters.AddWithValue("$retries", definition.Retries);
        command.Parameters.AddWithValue("$backoff", definition.RetryBackoffSeconds);
        command.Parameters.AddWithValue("$by", by);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
    }

    private static StoredSchedule ReadSchedule(SqliteDataReader reader) => new(
        new ScheduleDefinition(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(5) != 0,
            reader.GetString(6), reader.GetString(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetInt32(11),
            reader.GetInt32(17), reader.GetInt32(18)),
        reader.GetString(12), Time(reader.GetInt64(13)), reader.GetString(14), Time(reader.GetInt64(15)), Time(reader.GetInt64(16)));

    private static ScheduleFire ReadFire(SqliteDataReader reader) => new()
    {
        Schedule = reader.GetString(0),
        FireAt = Time(reader.GetInt64(1)),
        DueAt = Time(reader.GetInt64(2)),
        Outcome = reader.GetString(3),
        RunId = reader.IsDBNull(4) ? null : reader.GetString(4),
        Detail = reader.IsDBNull(5) ? null : reader.GetString(5),
        CatchUp = reader.GetInt64(6) != 0,
        UpdatedAt = Time(reader.GetInt64(7)),
    };

    private static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<SqliteCommand> bind, Func<SqliteDataReader, T> read, CancellationToken cancellationToken) =>
        ExecuteAsync<IReadOnlyList<T>>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
            return rows;
        }, cancellationToken);

    private async Task<T> ExecuteAsync<T>(Func<SqliteConnection, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await action(connection);
        }
        catch (SqliteException exception)
        {
            throw database.Unavailable(exception);
        }
    }
}
