using OpsConsole.Shared.Auth;

namespace OpsConsole.Shared.Schedules;

/// <summary>A backfill's life: running (a piece at a time), paused, then succeeded, failed (a piece's run failed; resume retries it) or cancelled.</summary>
public static class BackfillStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsOpen(string state) => state is Running or Paused or Failed;
}

/// <summary>What may be done to a backfill (<c>POST /api/backfills/{id}/{action}</c>).</summary>
public static class BackfillActions
{
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Cancel = "cancel";

    public static IReadOnlyList<string> All { get; } = [Pause, Resume, Cancel];
}

/// <summary>A past window to fetch again in consecutive runs (<c>POST /api/backfills</c>).</summary>
public sealed record BackfillRequest
{
    public string? Source { get; init; } = Streams.StreamCatalog.Stripe;

    public string? Stream { get; init; }

    /// <summary>The window's start (UTC), inclusive.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>The window's end (UTC), exclusive; at most now.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary><c>day</c> or <c>week</c>: a run per UTC day, or per week from Monday 00:00 UTC (the first and last pieces may be shorter).</summary>
    public string? Step { get; init; } = "day";

    /// <summary>Each run's workers, 1 to 64; unset: the launch default.</summary>
    public int? Workers { get; init; }
}

/// <summary>One piece of a backfill: its window and its run, once launched.</summary>
public sealed record BackfillPiece(int Index, DateTimeOffset From, DateTimeOffset To, string? RunId, string? RunState);

/// <summary>A backfill and where it stands.</summary>
public sealed record BackfillInfo
{
    public required string Id { get; init; }

    public required string Source { get; init; }

    public required string Stream { get; init; }

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    public required string Step { get; init; }

    public int? Workers { get; init; }

    /// <summary><see cref="BackfillStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>Why it failed (the piece and its run's reason), or null.</summary>
    public string? Failure { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required IReadOnlyList<BackfillPiece> Pieces { get; init; }

    /// <summary>Pieces whose run succeeded.</summary>
    public int Done => Pieces.Count(piece => piece.RunState == "Succeeded");

    /// <summary>The share of pieces done, 0 to 1.</summary>
    public double Fraction => Pieces.Count == 0 ? 0 : (double)Done / Pieces.Count;
}

/// <summary>Backfills: the API and the UI both go through this.</summary>
public interface IBackfillService
{
    /// <summary>Backfills, newest first.</summary>
    Task<IReadOnlyList<BackfillInfo>> ListAsync(int limit = 50, CancellationToken cancellationToken = default);

    Task<BackfillInfo?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Splits the window and queues its pieces (Operator and up); every refused field is named.</summary>
    Task<BackfillInfo> CreateAsync(BackfillRequest request, CallerInfo caller, CancellationToken cancellationToken = default);

    /// <summary>Pauses (no next piece starts; the running one finishes), resumes (a failed piece runs again) or cancels (the running piece is cancelled too).</summary>
    Task<BackfillInfo> ChangeAsync(string id, string action, CallerInfo caller, CancellationToken cancellationToken = default);
}

/// <summary>How a backfill's run names who launched it: <c>backfill:ID</c>.</summary>
public static class BackfillCallers
{
    public const string Prefix = "backfill:";

    public static string Of(string backfill) => Prefix + backfill;

    public static string? BackfillOf(string launchedBy) => launchedBy.StartsWith(Prefix, StringComparison.Ordinal) ? launchedBy[Prefix.Length..] : null;
}

/// <summary>A backfill's state does not allow the change (resuming a succeeded one, pausing a cancelled one).</summary>
public sealed class BackfillStateConflictException(string id, string state, string action)
    : Exception($"Backfill {id} is {state}: it cannot be {(action.EndsWith('e') ? action + "d" : action + "ed")}.");
