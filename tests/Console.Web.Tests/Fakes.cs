using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Tables;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Tests;

/// <summary>A clock the test sets.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Runs in memory, and a channel the test writes batches of changes to (what <see cref="WatchAsync"/> yields), so a
/// page sees runs arrive live without a server.
/// </summary>
internal sealed class FakeRunService : IRunService
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public LaunchDefaults LaunchDefaults { get; init; } = new("local", "on-demand", "", "");

    public List<RunInfo> Runs { get; init; } = [];

    public Exception? LaunchError { get; set; }

    /// <summary>Thrown by every query while set (the store is down).</summary>
    public Exception? QueryError { get; set; }

    /// <summary>Queries wait for this while set (the store is slow: the page shows it is loading).</summary>
    public Task? QueryGate { get; set; }

    public LaunchRequest? LastRequest { get; private set; }

    public RunQuery? LastQuery { get; private set; }

    public int Queries { get; private set; }

    public List<(string Id, bool Force)> Cancels { get; } = [];

    public Channel<IReadOnlyList<RunInfo>> Batches { get; } = Channel.CreateUnbounded<IReadOnlyList<RunInfo>>();

    public bool Watching { get; private set; }

    public TimeSpan CancelGracePeriod => TimeSpan.FromSeconds(30);

    public static RunInfo Run(string id, RunState state, DateTimeOffset created, string stream = "charges", string by = "operator") => new()
    {
        Id = id, Source = "stripe", Stream = stream, Mode = "incremental", Workers = 8, State = state, CreatedAt = created,
        StartedAt = created, LaunchedBy = by,
    };

    /// <summary>Sends a batch of changes, and keeps the runs in memory current as the store would.</summary>
    public void Push(params RunInfo[] batch)
    {
        foreach (var run in batch)
        {
            Runs.RemoveAll(r => r.Id == run.Id);
            Runs.Add(run);
        }
        Batches.Writer.TryWrite(batch);
    }

    public async IAsyncEnumerable<IReadOnlyList<RunInfo>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Watching = true;
        try
        {
            while (true)
            {
                IReadOnlyList<RunInfo> batch;
                try
                {
                    batch = await Batches.Reader.ReadAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                yield return batch;
            }
        }
        finally
        {
            Watching = false;
        }
    }

    public Task<IReadOnlyList<RunInfo>> ListAsync(int limit = 500, string? before = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RunInfo>>([.. Runs]);

    /// <summary>Filters as the store does (equals and contains, ignoring case), newest first, then pages.</summary>
    public async Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        query.Validate();
        LastQuery = query;
        Queries++;
        if (QueryGate is { } gate)
        {
            await gate;
        }
        if (QueryError is { } error)
        {
            throw error;
        }
        IEnumerable<RunInfo> runs = Runs;
        foreach (var filter in query.Filters)
        {
            runs = runs.Where(run => Matches(run, filter));
        }
        var matching = runs.OrderByDescending(run => run.CreatedAt).ThenByDescending(run => run.Id, StringComparer.Ordinal).ToList();
        return new RunPage([.. matching.Skip(query.Offset).Take(query.Limit)], matching.Count);
    }

    public Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Runs.FirstOrDefault(run => run.Id == id));

    public Task<RunInfo> LaunchAsync(LaunchRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        LastRequest = request;
        return LaunchError is { } error ? Task.FromException<RunInfo>(error) : Task.FromResult(Run("run-20261126-120000-abc123", RunState.Starting, Now));
    }

    public Task<RunInfo?> CancelAsync(string id, bool force, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        Cancels.Add((id, force));
        var run = Runs.FirstOrDefault(r => r.Id == id);
        return Task.FromResult(run is null ? null : run with { State = RunState.Cancelling, CancelRequestedAt = Now, CancelledBy = caller.Name });
    }

    public Task<IReadOnlyList<ThroughputPoint>> ThroughputAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ThroughputPoint>>([]);

    /// <summary>Each run's attempts, by run id (none unless a test sets them).</summary>
    public Dictionary<string, List<RunAttempt>> Attempts { get; } = [];

    public Task<IReadOnlyList<RunAttempt>> AttemptsAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RunAttempt>>(Attempts.TryGetValue(id, out var attempts) ? [.. attempts] : []);

    private static bool Matches(RunInfo run, RunFilter filter)
    {
        var value = filter.Field switch
        {
            RunFields.State => run.State.ToString(),
            RunFields.Stream => run.Stream,
            RunFields.LaunchedBy => run.LaunchedBy,
            RunFields.Id => run.Id,
            _ => throw new NotSupportedException(filter.Field),
        };
        return filter.Operator switch
        {
            RunFilterOperators.Equal => string.Equals(value, filter.Value, StringComparison.OrdinalIgnoreCase),
            RunFilterOperators.Contains => value.Contains(filter.Value!, StringComparison.OrdinalIgnoreCase),
            _ => throw new NotSupportedException(filter.Operator),
        };
    }
}

/// <summary>Audit entries in memory, newest first, filtered by actor and action like the store.</summary>
internal sealed class FakeAuditLog : IAuditLog
{
    public List<AuditEntry> Entries { get; } = [];

    public AuditQuery? Last { get; private set; }

    public Exception? Error { get; set; }

    public Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var stored = entry with { Id = Entries.Count + 1 };
        Entries.Add(stored);
        return Task.FromResult(stored);
    }

    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        Last = query;
        if (Error is { } error)
        {
            return Task.FromException<IReadOnlyList<AuditEntry>>(error);
        }
        var matching = Matching(query);
        return Task.FromResult<IReadOnlyList<AuditEntry>>([.. (query.OldestFirst ? matching.Reverse() : matching).Skip(query.Offset).Take(query.Limit)]);
    }

    public Task<int> CountAsync(AuditQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Matching(query).Count());

    private IEnumerable<AuditEntry> Matching(AuditQuery query) => Entries
        .Where(e => query.Actor is null || string.Equals(e.Actor, query.Actor, StringComparison.OrdinalIgnoreCase))
        .Where(e => query.Action is null || e.Action == query.Action)
        .Where(e => query.Stream is null || e.Stream == query.Stream)
        .Where(e => query.Before is null || e.Id < query.Before)
        .OrderByDescending(e => e.Id);
}

internal sealed class FakeCostService : ICostService
{
    public DateTimeOffset From { get; private set; }

    public DateTimeOffset To { get; private set; }

    public CostSummary? Summary { get; set; }

    public Task<CostSummary> SummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        (From, To) = (from, to);
        return Task.FromResult(Summary ?? new CostSummary { From = from, To = to, Runs = [], Days = [], Streams = [], Month = new MonthCost { Month = "2026-11", BudgetState = "within" } });
    }
}

/// <summary>Checkpoints in memory: a change writes a new version, a locked stream refuses it.</summary>
internal sealed class FakeCheckpointService : ICheckpointService
{
    public int Lists { get; private set; }

    public (string, string)? HistoryOf { get; private set; }

    public List<CheckpointStatus> Rows { get; } =
        [.. OpsConsole.Shared.Streams.StreamCatalog.Names().Select(s => new CheckpointStatus { Source = "stripe", Stream = s, Version = 1, Cursor = 1_790_000_000 })];

    public List<CheckpointChange> Changes { get; } = [];

    public Task<IReadOnlyList<CheckpointStatus>> ListAsync(CancellationToken cancellationToken = default)
    {
        Lists++;
        return Task.FromResult<IReadOnlyList<CheckpointStatus>>([.. Rows]);
    }

    public Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        HistoryOf = (source, stream);
        var row = Rows.First(r => r.Stream == stream);
        return Task.FromResult<IReadOnlyList<CheckpointVersion>>(
            [.. Enumerable.Range(1, (int)row.Version).Reverse().Select(v => new CheckpointVersion(v, row.Cursor, v > 1 ? row.Cursor : null, FakeRunService.Now, "admin", "test"))]);
    }

    public Task<CheckpointPreview> PreviewAsync(string source, string stream, CheckpointChange change, CancellationToken cancellationToken = default) =>
        Task.FromResult(new CheckpointPreview
        {
            ProposedCursor = change.Cursor?.ToUnixTimeSeconds(), NextFrom = change.Cursor?.ToUnixTimeSeconds() - 600, NextTo = 1_790_100_000,
            EstimateBasis = "no run to estimate from",
        });

    public Task<Checkpoint> ChangeAsync(string source, string stream, CheckpointChange change, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        Changes.Add(change);
        var index = Rows.FindIndex(r => r.Stream == stream);
        Rows[index] = Rows[index] with { Version = Rows[index].Version + 1, Cursor = change.Cursor?.ToUnixTimeSeconds() };
        return Task.FromResult(new Checkpoint(source, stream, Rows[index].Cursor, Rows[index].Version, FakeRunService.Now, caller.Name, change.Reason ?? ""));
    }
}

internal sealed class FakeUserDirectory : IUserDirectory
{
    public List<UserSummary> Users { get; } = [];

    public List<string> Unlocked { get; } = [];

    public Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<UserSummary>>([.. Users]);

    public Task<bool> UnlockAsync(string name, string actor, CancellationToken cancellationToken = default)
    {
        Unlocked.Add(name);
        var index = Users.FindIndex(u => u.Name == name);
        if (index < 0)
        {
            return Task.FromResult(false);
        }
        Users[index] = Users[index] with { FailedSignIns = 0, LockedUntil = null };
        return Task.FromResult(true);
    }
}

internal sealed class FakeQualityService : IQualityService
{
    public List<QualityReport> Reports { get; } = [];

    public Task<IReadOnlyList<StreamQuality>> StreamsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StreamQuality>>([.. OpsConsole.Shared.Streams.StreamCatalog.Names()
            .Select(s => new StreamQuality("stripe", s, Reports.Where(r => r.Stream == s).OrderByDescending(r => r.At).FirstOrDefault()))]);

    public Task<IReadOnlyList<QualityReport>> HistoryAsync(string source, string stream, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<QualityReport>>([.. Reports.Where(r => r.Stream == stream).OrderByDescending(r => r.At).Take(limit)]);

    public Task<QualityReport?> ReportAsync(string runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Reports.FirstOrDefault(r => r.RunId == runId));
}

internal sealed class FakeTableService : ITableService
{
    public List<TableSummary> Rows { get; } =
    [
        new("stripe", "charges", "raw/stripe/charges", 12, 4_200, 1_500_000, 9, 7, 1, FakeRunService.Now.AddMinutes(-5)),
        new("stripe", "customers", "raw/stripe/customers", -1, 0, 0, 0, 0, 0, null),
        new("stripe", "refunds", "raw/stripe/refunds", 3, 60, 9_000, 2, 2, 0, FakeRunService.Now.AddHours(-1)),
    ];

    public List<(MaintenanceRequest Request, CallerInfo Caller)> Requests { get; } = [];

    /// <summary>More daily partitions than the two the detail has by default.</summary>
    public int ExtraPartitions { get; set; }

    /// <summary>Set to refuse the next change as a busy stream (the run id).</summary>
    public string? BusyWith { get; set; }

    public Task<IReadOnlyList<TableSummary>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<TableSummary>>([.. Rows]);

    public Task<TableDetail> DetailAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        var summary = Rows.FirstOrDefault(r => r.Source == source && r.Stream == stream) ?? throw new KeyNotFoundException($"There is no stream {source}/{stream}.");
        IReadOnlyList<TablePartition> partitions = ExtraPartitions == 0
            ? [new TablePartition("2026-11-26", 3_000, 1_000_000, 3, 3), new TablePartition("2026-11-25", 1_200, 500_000, 1, 0)]
            : [.. Enumerable.Range(0, ExtraPartitions + 2).Select(i => new TablePartition(new DateOnly(2026, 11, 26).AddDays(-i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), 10, 1_000, 1, 0))];
        return Task.FromResult(new TableDetail(summary, partitions,
            [new TableColumn("id", "string", false, false), new TableColumn("created", "long", false, false), new TableColumn("dt", "string", false, true)]));
    }

    public Task<IReadOnlyList<TableCommit>> HistoryAsync(string source, string stream, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TableCommit>>(
        [
            new TableCommit(12, FakeRunService.Now.AddMinutes(-5), "OPTIMIZE", null, 1, 3, 3_000, 3_000),
            new TableCommit(11, FakeRunService.Now.AddMinutes(-30), "MERGE", "run-20261126-113000-abc123", 2, 1, 1_500, 700),
        ]);

    public List<PreviewQuery> Previews { get; } = [];

    public Task<TablePreview> PreviewAsync(string source, string stream, PreviewQuery query, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        Previews.Add(query);
        if (query.Dt is { } dt && !DateOnly.TryParseExact(dt, "yyyy-MM-dd", out _))
        {
            throw new InvalidFieldException("dt", $"'{dt}' is not a date (yyyy-MM-dd).");
        }
        var admin = caller.Role >= ConsoleRole.Admin;
        IReadOnlyList<IReadOnlyList<object?>> rows =
        [
            ["ch_2", 1_790_086_400L, admin ? "{\"shipping\":null}" : TablePreview.MaskText, "2026-09-22"],
            ["ch_1", 1_790_000_000L, null, "2026-09-21"],
        ];
        return Task.FromResult(new TablePreview(query.Version ?? 12, ["id", "created", "_extra", "dt"],
            [.. rows.Where(r => (query.Id is null || (string)r[0]! == query.Id) && (query.Dt is null || (string)r[3]! == query.Dt)).Take(query.Limit)],
            admin ? [] : ["_extra"], 1));
    }

    public Task<MaintenanceOutcome> MaintainAsync(string source, string stream, MaintenanceRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        Requests.Add((request, caller));
        if ((request.Apply || request.Action == MaintenanceAction.Compact) && request.Confirm != stream)
        {
            throw new InvalidFieldException("confirm", $"type the stream's name, '{stream}', to confirm.");
        }
        if (request.RetainHours is < 1)
        {
            throw new InvalidFieldException("retainHours", "must be between 1 and 87600: a younger unreferenced file may belong to a commit in flight.");
        }
        if (BusyWith is { } run && (request.Apply || request.Action == MaintenanceAction.Compact))
        {
            throw new TableBusyException($"{source}/{stream} has an active run, {run}: cancel it or wait for it to end first.", run);
        }
        var applied = request.Apply || request.Action == MaintenanceAction.Compact;
        return Task.FromResult(new MaintenanceOutcome(request.Action!.Value, applied, 13, 2, 2_048, 0, 0,
            $"{(applied ? "deleted" : "would delete")} 2 files (2.0 KiB)") { Paths = ["dt=2026-11-25/part-old-1.parquet", "dt=2026-11-25/part-old-2.parquet"] });
    }
}
