using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Schedules;

/// <summary>
/// Backfills: a past window of a stream split into consecutive runs (a UTC day or a week each), run one after another
/// by the scheduler (<see cref="Backfiller"/>). Their runs never move the stream's checkpoint backwards: the job moves a
/// cursor forward only (the end of a run's window counts only when it is past the cursor), so a backfill of an older
/// window leaves the checkpoint where it is.
/// </summary>
internal sealed class BackfillService(SqliteScheduleStore store, IRunService runs, IAuditLog audit, TimeProvider time, ILogger<BackfillService> logger)
    : IBackfillService
{
    public const int MaxPieces = 1000;

    public async Task<IReadOnlyList<BackfillInfo>> ListAsync(int limit = 50, CancellationToken cancellationToken = default)
    {
        var backfills = new List<BackfillInfo>();
        foreach (var record in await store.BackfillsAsync(Math.Clamp(limit, 1, 500), null, cancellationToken))
        {
            backfills.Add(Info(record, await store.PiecesAsync(record.Id, cancellationToken)));
        }
        return backfills;
    }

    public async Task<BackfillInfo?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await store.BackfillAsync(id, cancellationToken) is { } record ? Info(record, await store.PiecesAsync(id, cancellationToken)) : null;

    public async Task<BackfillInfo> CreateAsync(BackfillRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        ScheduleAudit.RequireOperator(caller, "Creating a backfill");
        var now = time.GetUtcNow();
        var (launch, step, pieces) = Validate(request, now);
        var record = new BackfillRecord($"bf-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}",
            launch.Source, launch.Stream, launch.From!.Value, launch.To!.Value, step, request.Workers, BackfillStates.Running, null, caller.Name, now, now);
        await store.InsertBackfillAsync(record, pieces, cancellationToken);
        await RecordAsync(AuditActions.BackfillCreate, record, caller, null, new { record.From, record.To, record.Step, record.Workers, pieces = pieces.Count });
        logger.LogInformation("Backfill {Backfill} of {Source}/{Stream} [{From}, {To}) in {Pieces} runs by {User}", record.Id, record.Source, record.Stream,
            record.From, record.To, pieces.Count, caller.Name);
        return (await GetAsync(record.Id, cancellationToken))!;
    }

    public async Task<BackfillInfo> ChangeAsync(string id, string action, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        ScheduleAudit.RequireOperator(caller, "Changing a backfill");
        var record = await store.BackfillAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"There is no backfill '{InvalidFieldException.Quote(id)}'.");
        var (from, to, auditAction) = action switch
        {
            BackfillActions.Pause => ((IReadOnlyList<string>)[BackfillStates.Running], BackfillStates.Paused, AuditActions.BackfillPause),
            BackfillActions.Resume => ([BackfillStates.Paused, BackfillStates.Failed], BackfillStates.Running, AuditActions.BackfillResume),
            BackfillActions.Cancel => ([BackfillStates.Running, BackfillStates.Paused, BackfillStates.Failed], BackfillStates.Cancelled, AuditActions.BackfillCancel),
            _ => throw new InvalidFieldException("action", $"'{InvalidFieldException.Quote(action)}' is not one of pause, resume, cancel."),
        };
        var pieces = await store.PiecesAsync(id, cancellationToken);
        if (!await store.SetBackfillStateAsync(id, from, to, null, time.GetUtcNow(), cancellationToken))
        {
            throw new BackfillStateConflictException(id, record.State, action);
        }
        if (action == BackfillActions.Resume && pieces.FirstOrDefault(piece => piece.RunState is "Failed" or "Cancelled") is { } failed)
        {
            // The failed piece runs again (a new run of the same window: the merge keeps each record once).
            await store.SetPieceRunAsync(id, failed.Index, failed.RunId, null, cancellationToken);
        }
        if (action == BackfillActions.Cancel && pieces.FirstOrDefault(piece => piece.RunId is not null && Enum.TryParse<RunState>(piece.RunState, out var state) && state.IsActive()) is { } active)
        {
            try
            {
                await runs.CancelAsync(active.RunId!, force: false, caller, cancellationToken);
            }
            catch (RunStateConflictException)
            {
                // It ended meanwhile.
            }
        }
        await RecordAsync(auditAction, record, caller, new { state = record.State }, new { state = to });
        logger.LogInformation("Backfill {Backfill}: {Action} by {User}", id, action, caller.Name);
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>Checks a request at the edge (every error names its field) and splits its window.</summary>
    public static (ValidLaunch Launch, string Step, IReadOnlyList<(long From, long To)> Pieces) Validate(BackfillRequest request, DateTimeOffset now)
    {
        if (request.From is null)
        {
            throw new InvalidFieldException("from", "is required: the window's start (UTC).");
        }
        if (request.To is null)
        {
            throw new InvalidFieldException("to", "is required: the window's end (UTC, exclusive).");
        }
        if (request.To > now)
        {
            throw new InvalidFieldException("to", $"must not be in the future (now is {now:u}): a backfill fetches a past window.");
        }
        var launch = LaunchValidator.Validate(new LaunchRequest { Source = request.Source, Stream = request.Stream, From = request.From, To = request.To, Workers = request.Workers ?? 8 });
        var step = request.Step?.Trim().ToLowerInvariant() ?? "day";
        if (step is not ("day" or "week"))
        {
            throw new InvalidFieldException("step", $"'{InvalidFieldException.Quote(request.Step!)}' is not one of day, week.");
        }
        var pieces = Split(launch.From!.Value, launch.To!.Value, step);
        if (pieces.Count > MaxPieces)
        {
            throw new InvalidFieldException(step == "day" ? "step" : "from", $"the window splits into {pieces.Count} runs; at most {MaxPieces}: choose week or a shorter window.");
        }
        return (launch, step, pieces);
    }

    /// <summary>Consecutive windows covering [from, to): cut at each UTC midnight (day) or each Monday 00:00 UTC (week).</summary>
    public static IReadOnlyList<(long From, long To)> Split(long from, long to, string step)
    {
        const long Day = 86_400;
        var pieces = new List<(long, long)>();
        for (var start = from; start < to && pieces.Count <= MaxPieces;)
        {
            var boundary = (Math.Floor((double)start / Day) + 1) * Day;
            if (step == "week")
            {
                // 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of 7 days.
                var weeks = Math.Floor((start - 4 * Day) / (7.0 * Day)) + 1;
                boundary = weeks * 7 * Day + 4 * Day;
            }
            var end = Math.Min((long)boundary, to);
            pieces.Add((start, end));
            start = end;
        }
        return pieces;
    }

    private static BackfillInfo Info(BackfillRecord record, IReadOnlyList<BackfillPiece> pieces) => new()
    {
        Id = record.Id,
        Source = record.Source,
        Stream = record.Stream,
        From = DateTimeOffset.FromUnixTimeSeconds(record.From),
        To = DateTimeOffset.FromUnixTimeSeconds(record.To),
        Step = record.Step,
        Workers = record.Workers,
        State = record.State,
        Failure = record.Failure,
        CreatedBy = record.CreatedBy,
        CreatedAt = record.CreatedAt,
        UpdatedAt = record.UpdatedAt,
        Pieces = pieces,
    };

    private Task RecordAsync(string action, BackfillRecord record, CallerInfo caller, object? before, object after) =>
        ScheduleAudit.AppendAsync(audit, action, caller, record.Id, $"{record.Source}/{record.Stream}", before, after);
}
