using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using System.Text.Json;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;
using OpsConsole.Server.Runners;

namespace OpsConsole.Server.Runs;

/// <summary>
/// The runs table of the embedded SQLite database (<see cref="SqliteRunStore"/> puts it behind <see cref="IRunStore"/>). A partial unique index holds at most one active run per stream, so two
/// launches racing for a stream cannot both insert; state changes are conditional on the current state.
/// </summary>
internal sealed class SqliteRunTables(SqliteDatabase database)
{
    private const string Columns = """
        id, source, stream, mode, window_from, window_to, workers, state, created_at, started_at, ended_at, launched_by,
        cancelled_by, cancel_requested_at, forced, exit_code, failure_reason, attempts, job_kind, job_id,
        records, pages, bytes, rate_limited, retries, records_per_second, progress_at, slices_done, slices_total, quality, usage, cost, capacity, pods, cpu, memory, executors, planned_from, planned_to, planning,
        max_attempts, retry_backoff_seconds, retry_at
        """;

    /// <summary>Records a new (Pending) run, or throws <see cref="StreamBusyException"/> naming the stream's active run.</summary>
    public async Task InsertAsync(RunInfo run, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO runs (id, source, stream, mode, window_from, window_to, workers, state, created_at, launched_by, capacity, cpu, memory, executors,
                max_attempts, retry_backoff_seconds)
            VALUES ($id, $source, $stream, $mode, $from, $to, $workers, $state, $created, $by, $capacity, $cpu, $memory, $executors, $maxAttempts, $backoff)
            """;
        command.Parameters.AddWithValue("$id", run.Id);
        command.Parameters.AddWithValue("$source", run.Source);
        command.Parameters.AddWithValue("$stream", run.Stream);
        command.Parameters.AddWithValue("$mode", run.Mode);
        command.Parameters.AddWithValue("$from", (object?)run.From ?? DBNull.Value);
        command.Parameters.AddWithValue("$to", (object?)run.To ?? DBNull.Value);
        command.Parameters.AddWithValue("$workers", run.Workers);
        command.Parameters.AddWithValue("$state", run.State.ToString());
        command.Parameters.AddWithValue("$created", run.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$by", run.LaunchedBy);
        command.Parameters.AddWithValue("$capacity", (object?)run.Capacity ?? DBNull.Value);
        command.Parameters.AddWithValue("$cpu", (object?)run.Cpu ?? DBNull.Value);
        command.Parameters.AddWithValue("$memory", (object?)run.Memory ?? DBNull.Value);
        command.Parameters.AddWithValue("$executors", run.Executors);
        command.Parameters.AddWithValue("$maxAttempts", run.MaxAttempts);
        command.Parameters.AddWithValue("$backoff", run.RetryBackoffSeconds);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (SqliteException exception) when (exception.SqliteExtendedErrorCode == 2067)
        {
            var active = await ActiveRunAsync(run.Source, run.Stream, cancellationToken);
            throw new StreamBusyException(run.Source, run.Stream, active?.Id ?? "(just finished: try again)");
        }
    }

    public async Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM runs WHERE id = $id", command => command.Parameters.AddWithValue("$id", id), cancellationToken)) is [var run, ..] ? run : null;

    /// <summary>
    /// Newest first, from the index on (created_at, id): the page after <paramref name="before"/> starts where that run
    /// sits in the index, so a deep page costs what the first does. Null when <paramref name="before"/> is no run.
    /// </summary>
    public async Task<IReadOnlyList<RunInfo>?> ListAsync(int limit, string? before, CancellationToken cancellationToken = default)
    {
        if (before is null)
        {
            return await QueryAsync($"SELECT {Columns} FROM runs ORDER BY created_at DESC, id DESC LIMIT $limit",
                command => command.Parameters.AddWithValue("$limit", limit), cancellationToken);
        }
        var page = await QueryAsync($"""
            SELECT {Columns} FROM runs WHERE (created_at, id) < (SELECT created_at, id FROM runs WHERE id = $before)
            ORDER BY created_at DESC, id DESC LIMIT $limit
            """,
            command =>
            {
                command.Parameters.AddWithValue("$limit", limit);
                command.Parameters.AddWithValue("$before", before);
            }, cancellationToken);
        return page.Count > 0 || await GetAsync(before, cancellationToken) is not null ? page : null;
    }

    /// <summary>
    /// One page of runs for a validated query. Fields and operators come from fixed lists (<see cref="RunFields"/>),
    /// values are parameters; text filters ignore case. Ties in the sort break on the id, so pages never overlap.
    /// </summary>
    public async Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        for (var i = 0; i < query.Filters.Count; i++)
        {
            where.Add(FilterSql(query.Filters[i], $"$f{i}", command));
        }
        var whereSql = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        var direction = query.Descending ? "DESC" : "ASC";
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.Parameters.AddWithValue("$offset", query.Offset);
        // The page's rows are found first by rowid alone (an index, or a sort carrying only the key), then read in full:
        // an offset skips index entries, not whole rows.
        var order = $"ORDER BY {SortSql(query.SortBy)} {direction} NULLS LAST, id {direction}";
        command.CommandText = $"SELECT {Columns} FROM runs WHERE rowid IN (SELECT rowid FROM runs{whereSql} {order} LIMIT $limit OFFSET $offset) {order}";
        var runs = new List<RunInfo>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                runs.Add(Read(reader));
            }
        }
        // Counted apart: a window count over the page query would read every matching row in full.
        command.CommandText = $"SELECT COUNT(*) FROM runs{whereSql}";
        var total = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        return new RunPage(runs, total);
    }

    private static string SortSql(string field) => field switch
    {
        RunFields.Created => "created_at",
        RunFields.Id => "id",
        RunFields.State => "state",
        RunFields.Stream => "stream",
        RunFields.Started => "started_at",
        RunFields.Duration => "(COALESCE(ended_at, $now) - started_at)",
        RunFields.Records => "records",
        RunFields.RecordsPerSecond => "(CASE WHEN ended_at IS NOT NULL AND started_at IS NOT NULL AND ended_at - started_at > 500 THEN records * 1000.0 / (ended_at - started_at) ELSE records_per_second END)",
        RunFields.LaunchedBy => "launched_by",
        RunFields.Runner => "job_kind",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a sortable run field"),
    };

    private static string FilterSql(RunFilter filter, string name, SqliteCommand command)
    {
        var column = filter.Field switch
        {
            RunFields.Id => "id",
            RunFields.State => "state",
            RunFields.Stream => "stream",
            RunFields.LaunchedBy => "launched_by",
            RunFields.Runner => "job_kind",
            RunFields.Quality => "quality",
            RunFields.Records => "records",
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter.Field, "not a filterable run field"),
        };
        if (filter.Field == RunFields.Records)
        {
            command.Parameters.AddWithValue(name, long.Parse(filter.Value!, System.Globalization.CultureInfo.InvariantCulture));
            return $"{column} {filter.Operator} {name}";
        }
        // LIKE with an escape character, so a % or _ the user typed matches itself.
        var escaped = (filter.Value ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
        command.Parameters.AddWithValue(name, filter.Operator switch
        {
            RunFilterOperators.Contains or RunFilterOperators.NotContains => $"%{escaped}%",
            RunFilterOperators.StartsWith => $"{escaped}%",
            RunFilterOperators.EndsWith => $"%{escaped}",
            _ => (object?)filter.Value ?? DBNull.Value,
        });
        return filter.Operator switch
        {
            RunFilterOperators.Contains or RunFilterOperators.StartsWith or RunFilterOperators.EndsWith => $"{column} LIKE {name} ESCAPE '\\'",
            RunFilterOperators.NotContains => $"COALESCE({column}, '') NOT LIKE {name} ESCAPE '\\'",
            RunFilterOperators.Equal => $"{column} = {name} COLLATE NOCASE",
            RunFilterOperators.NotEqual => $"COALESCE({column}, '') <> {name} COLLATE NOCASE",
            RunFilterOperators.Empty => $"COALESCE({column}, '') = ''",
            RunFilterOperators.NotEmpty => $"COALESCE({column}, '') <> ''",
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter.Operator, "not a text filter operator"),
        };
    }

    /// <summary>Runs in an active state (what a restarted console must reconcile).</summary>
    public Task<IReadOnlyList<RunInfo>> ListActiveAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM runs WHERE state IN ('Pending', 'Starting', 'Running', 'Cancelling') ORDER BY created_at",
            _ => { }, cancellationToken);

    public async Task<RunInfo?> ActiveRunAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM runs WHERE source = $source AND stream = $stream AND state IN ('Pending', 'Starting', 'Running', 'Cancelling')",
            command =>
            {
                command.Parameters.AddWithValue("$source", source);
                command.Parameters.AddWithValue("$stream", stream);
            }, cancellationToken)) is [var run, ..] ? run : null;

    /// <summary>The handle of a run's job (to re-attach after a restart), once the runner has started it.</summary>
    public async Task<JobHandle?> HandleAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT job_kind, job_id FROM runs WHERE id = $id AND job_id IS NOT NULL";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new JobHandle(reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Moves the run to <paramref name="to"/> when its current state allows it, writing <paramref name="change"/> in the
    /// same statement. Returns the updated run, null when there is no such run, or throws
    /// <see cref="RunStateConflictException"/> when the move is illegal from its current state.
    /// </summary>
    public async Task<RunInfo?> TransitionAsync(string id, RunState to, RunChange change, string action, CancellationToken cancellationToken = default)
    {
        var from = RunStates.Sources(to);
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                UPDATE runs SET state = $to,
                    started_at = COALESCE($started, started_at),
                    ended_at = COALESCE($ended, ended_at),
                    cancelled_by = COALESCE($cancelledBy, cancelled_by),
                    cancel_requested_at = COALESCE($cancelAt, cancel_requested_at),
                    forced = COALESCE($forced, forced),
                    exit_code = COALESCE($exit, exit_code),
                    failure_reason = COALESCE($reason, failure_reason),
                    attempts = attempts + $attempt,
                    cost = COALESCE($cost, cost),
                    retry_at = $retryAt

                WHERE id = $id AND state IN ({string.Join(", ", from.Select(state => $"'{state}'"))})
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$to", to.ToString());
            command.Parameters.AddWithValue("$started", Millis(change.StartedAt));
            command.Parameters.AddWithValue("$ended", Millis(change.EndedAt));
            command.Parameters.AddWithValue("$cancelledBy", (object?)change.CancelledBy ?? DBNull.Value);
            command.Parameters.AddWithValue("$cancelAt", Millis(change.CancelRequestedAt));
            command.Parameters.AddWithValue("$forced", change.Forced is { } forced ? forced ? 1 : 0 : DBNull.Value);
            command.Parameters.AddWithValue("$exit", (object?)change.ExitCode ?? DBNull.Value);
            command.Parameters.AddWithValue("$reason", (object?)change.FailureReason ?? DBNull.Value);
            command.Parameters.AddWithValue("$attempt", change.AddAttempt ? 1 : 0);
            command.Parameters.AddWithValue("$retryAt", Millis(change.RetryAt));
            command.Parameters.AddWithValue("$cost", change.Cost is { } cost ? JsonSerializer.Serialize(cost, JsonOptions) : DBNull.Value);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                var current = await GetAsync(id, cancellationToken);
                return current is null ? null : throw new RunStateConflictException(id, current.State, action);
            }
        }
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>Records the started job's handle on an active run; returns the run's state (null when it is no longer active).</summary>
    public async Task<RunState?> RecordHandleAsync(string id, JobHandle handle, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE runs SET job_kind = $kind, job_id = $job
            WHERE id = $id AND state IN ('Pending', 'Starting', 'Running', 'Cancelling')
            RETURNING state
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$kind", handle.Kind);
        command.Parameters.AddWithValue("$job", handle.Id);
        return await command.ExecuteScalarAsync(cancellationToken) is string state ? Enum.Parse<RunState>(state) : null;
    }

    /// <summary>Marks a Cancelling run as forced (the kill was sent) without changing its state.</summary>
    public async Task MarkForcedAsync(string id, string? by, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE runs SET forced = 1, cancelled_by = COALESCE(cancelled_by, $by) WHERE id = $id AND state = 'Cancelling'";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$by", (object?)by ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores the job's latest progress report and, when the lines reported it, what the run has used so far.</summary>
    public async Task UpdateProgressAsync(string id, RunProgress progress, RunUsage? usage = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE runs SET records = $records, pages = $pages, bytes = $bytes, rate_limited = $limited, retries = $retries,
                records_per_second = $rate, progress_at = $at, slices_done = $slicesDone, slices_total = $slicesTotal,
                usage = COALESCE($usage, usage), planned_from = COALESCE($plannedFrom, planned_from), planned_to = COALESCE($plannedTo, planned_to),
                planning = COALESCE($planning, planning)
            WHERE id = $id
            """;
        command.Parameters.AddWithValue("$plannedFrom", (object?)progress.PlannedFrom ?? DBNull.Value);
        command.Parameters.AddWithValue("$plannedTo", (object?)progress.PlannedTo ?? DBNull.Value);
        command.Parameters.AddWithValue("$planning", (object?)progress.Planning ?? DBNull.Value);
        command.Parameters.AddWithValue("$usage", usage is null ? DBNull.Value : JsonSerializer.Serialize(usage, JsonOptions));
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$records", progress.Records);
        command.Parameters.AddWithValue("$pages", progress.Pages);
        command.Parameters.AddWithValue("$bytes", progress.Bytes);
        command.Parameters.AddWithValue("$limited", progress.RateLimited);
        command.Parameters.AddWithValue("$retries", progress.Retries);
        command.Parameters.AddWithValue("$rate", progress.RecordsPerSecond);
        command.Parameters.AddWithValue("$at", Millis(progress.UpdatedAt));
        command.Parameters.AddWithValue("$slicesDone", progress.SlicesDone);
        command.Parameters.AddWithValue("$slicesTotal", progress.SlicesTotal);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a budget notification for the month and level; false when one was recorded before.</summary>
    public async Task<bool> RecordBudgetAlertAsync(string month, string level, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO budget_alerts (month, level, at) VALUES ($month, $level, $at)";
        command.Parameters.AddWithValue("$month", month);
        command.Parameters.AddWithValue("$level", level);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Runs that started before <paramref name="to"/> and ended after <paramref name="from"/> (or have not ended).</summary>
    public Task<IReadOnlyList<RunInfo>> ListOverlappingAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM runs WHERE started_at IS NOT NULL AND started_at < $to AND (ended_at IS NULL OR ended_at > $from) ORDER BY started_at",
            command =>
            {
                command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            }, cancellationToken);

    /// <summary>The stream's run that ended last before <paramref name="before"/>, other than <paramref name="except"/>.</summary>
    public async Task<RunInfo?> PreviousEndedAsync(string source, string stream, DateTimeOffset before, string except, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM runs WHERE source = $source AND stream = $stream AND id <> $id AND ended_at IS NOT NULL AND ended_at <= $before ORDER BY ended_at DESC LIMIT 1",
            command =>
            {
                command.Parameters.AddWithValue("$source", source);
                command.Parameters.AddWithValue("$stream", stream);
                command.Parameters.AddWithValue("$id", except);
                command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            }, cancellationToken)) is [var run] ? run : null;

    /// <summary>Runs waiting for their next attempt whose time has come, earliest first.</summary>
    public Task<IReadOnlyList<RunInfo>> DueRetriesAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM runs WHERE retry_at IS NOT NULL AND retry_at <= $now AND state = 'Pending' ORDER BY retry_at",
            command => command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds()), cancellationToken);

    /// <summary>Records the start of an attempt; its lines begin at <paramref name="firstSeq"/> in the run's log.</summary>
    public async Task StartAttemptAsync(string id, int attempt, DateTimeOffset at, long firstSeq, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO run_attempts (run_id, attempt, started_at, first_seq) VALUES ($id, $attempt, $at, $seq)
            ON CONFLICT (run_id, attempt) DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$attempt", attempt);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$seq", firstSeq);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Records how the run's latest attempt ended. An attempt already ended keeps its record, unless it was ended as
    /// retried and no retry followed (a cancel came first): then how the run ended is its record.
    /// </summary>
    public async Task EndAttemptAsync(string id, DateTimeOffset at, string outcome, int? exitCode, string? reason, bool retried, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE run_attempts SET ended_at = $at, outcome = $outcome, exit_code = $exit, reason = $reason, retried = $retried
            WHERE run_id = $id AND (ended_at IS NULL OR retried = 1) AND attempt = (SELECT MAX(attempt) FROM run_attempts WHERE run_id = $id)
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$outcome", outcome);
        command.Parameters.AddWithValue("$exit", (object?)exitCode ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$retried", retried ? 1 : 0);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RunAttempt>> AttemptsAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT attempt, started_at, ended_at, outcome, exit_code, reason, retried, first_seq FROM run_attempts WHERE run_id = $id ORDER BY attempt
            """;
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var attempts = new List<RunAttempt>();
        while (await reader.ReadAsync(cancellationToken))
        {
            attempts.Add(new RunAttempt
            {
                Attempt = reader.GetInt32(0),
                StartedAt = Time(reader, 1)!.Value,
                EndedAt = Time(reader, 2),
                Outcome = reader.IsDBNull(3) ? null : reader.GetString(3),
                ExitCode = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                Reason = reader.IsDBNull(5) ? null : reader.GetString(5),
                Retried = reader.GetInt32(6) != 0,
                FirstSeq = reader.GetInt64(7),
            });
        }
        return attempts;
    }

    /// <summary>Stores the run's pods as the runner last reported them.</summary>
    public async Task UpdatePodsAsync(string id, IReadOnlyList<RunPod> pods, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE runs SET pods = $pods WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$pods", JsonSerializer.Serialize(pods, JsonOptions));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores the run's data-quality outcome as the job reported it.</summary>
    public async Task UpdateQualityAsync(string id, string outcome, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE runs SET quality = $quality WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$quality", outcome);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<RunInfo>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var runs = new List<RunInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(Read(reader));
        }
        return runs;
    }

    private static RunInfo Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Source = reader.GetString(1),
        Stream = reader.GetString(2),
        Mode = reader.GetString(3),
        From = reader.IsDBNull(4) ? null : reader.GetInt64(4),
        To = reader.IsDBNull(5) ? null : reader.GetInt64(5),
        Workers = reader.GetInt32(6),
        State = Enum.Parse<RunState>(reader.GetString(7)),
        CreatedAt = Time(reader, 8)!.Value,
        StartedAt = Time(reader, 9),
        EndedAt = Time(reader, 10),
        LaunchedBy = reader.GetString(11),
        CancelledBy = reader.IsDBNull(12) ? null : reader.GetString(12),
        CancelRequestedAt = Time(reader, 13),
        Forced = reader.GetInt32(14) != 0,
        ExitCode = reader.IsDBNull(15) ? null : reader.GetInt32(15),
        FailureReason = reader.IsDBNull(16) ? null : reader.GetString(16),
        Attempts = reader.GetInt32(17),
        Progress = new RunProgress(reader.GetInt64(20), reader.GetInt64(21), reader.GetInt64(22), reader.GetInt64(23), reader.GetInt64(24),
            reader.GetDouble(25), reader.GetInt32(27), reader.GetInt32(28), Time(reader, 26))
        {
            PlannedFrom = reader.IsDBNull(37) ? null : reader.GetInt64(37),
            PlannedTo = reader.IsDBNull(38) ? null : reader.GetInt64(38),
            Planning = reader.IsDBNull(39) ? null : reader.GetString(39),
        },
        Quality = reader.IsDBNull(29) ? null : reader.GetString(29),
        Usage = reader.IsDBNull(30) ? null : JsonSerializer.Deserialize<RunUsage>(reader.GetString(30), JsonOptions),
        Cost = reader.IsDBNull(31) ? null : JsonSerializer.Deserialize<RunCost>(reader.GetString(31), JsonOptions),
        Capacity = reader.IsDBNull(32) ? null : reader.GetString(32),
        Runner = reader.IsDBNull(18) ? null : reader.GetString(18),
        Pods = reader.IsDBNull(33) ? null : JsonSerializer.Deserialize<List<RunPod>>(reader.GetString(33), JsonOptions),
        Cpu = reader.IsDBNull(34) ? null : reader.GetString(34),
        Memory = reader.IsDBNull(35) ? null : reader.GetString(35),
        Executors = reader.GetInt32(36),
        MaxAttempts = reader.GetInt32(40),
        RetryBackoffSeconds = reader.GetInt32(41),
        RetryAt = Time(reader, 42),
    };

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static object Millis(DateTimeOffset? time) =>
        time is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;
}
