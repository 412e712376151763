using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Schedules;

/// <summary>
/// One pass over the running backfills (the scheduler's console, every tick): a backfill's next piece launches once
/// its previous piece succeeded and the stream is free; a piece whose run failed or was cancelled fails the backfill
/// (resume runs it again); the last piece's success ends it. A piece launched just before a crash, its run not yet
/// recorded, launches again: the merge keeps each record once, so the window is fetched twice at worst.
/// </summary>
internal sealed class Backfiller(SqliteScheduleStore store, IRunService runs, TimeProvider time, ILogger<Backfiller> logger)
{
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        foreach (var backfill in await store.BackfillsAsync(500, BackfillStates.Running, cancellationToken))
        {
            await AdvanceAsync(backfill, cancellationToken);
        }
    }

    private async Task AdvanceAsync(BackfillRecord backfill, CancellationToken cancellationToken)
    {
        var pieces = await store.PiecesAsync(backfill.Id, cancellationToken);
        if (pieces.FirstOrDefault(piece => piece.RunState != nameof(RunState.Succeeded)) is not { } piece)
        {
            await store.SetBackfillStateAsync(backfill.Id, [BackfillStates.Running], BackfillStates.Succeeded, null, time.GetUtcNow(), cancellationToken);
            logger.LogInformation("Backfill {Backfill} of {Source}/{Stream} succeeded: {Pieces} runs", backfill.Id, backfill.Source, backfill.Stream, pieces.Count);
            return;
        }
        var where = $"piece {piece.Index + 1} of {pieces.Count} ({piece.From:u} to {piece.To:u})";
        if (piece.RunId is { } runId)
        {
            if (piece.RunState is nameof(RunState.Failed) or nameof(RunState.Cancelled))
            {
                var run = await runs.GetAsync(runId, cancellationToken);
                var failure = $"{where}: run {runId} {piece.RunState!.ToLowerInvariant()}{(run?.FailureReason is { } reason ? $": {reason}" : "")}";
                await store.SetBackfillStateAsync(backfill.Id, [BackfillStates.Running], BackfillStates.Failed, failure, time.GetUtcNow(), cancellationToken);
                logger.LogWarning("Backfill {Backfill} failed at {Failure}; resume runs the piece again", backfill.Id, failure);
            }
            return;
        }
        try
        {
            var run = await runs.LaunchAsync(new LaunchRequest
            {
                Source = backfill.Source, Stream = backfill.Stream, Mode = "incremental", From = piece.From, To = piece.To, Workers = backfill.Workers,
            }, new CallerInfo(BackfillCallers.Of(backfill.Id), ConsoleRole.Operator, "backfill"), cancellationToken);
            await store.SetPieceRunAsync(backfill.Id, piece.Index, null, run.Id, CancellationToken.None);
            logger.LogInformation("Backfill {Backfill}: {Where} launched run {RunId}", backfill.Id, where, run.Id);
        }
        catch (StreamBusyException)
        {
            // The stream has another run: the piece waits its turn.
        }
        catch (StoreUnavailableException exception)
        {
            logger.LogWarning("Backfill {Backfill}: {Where} waits, the store failed: {Error}", backfill.Id, where, exception.Message);
        }
        catch (Exception exception) when (exception is InvalidFieldException or UnauthorizedAccessException or InvalidOperationException)
        {
            await store.SetBackfillStateAsync(backfill.Id, [BackfillStates.Running], BackfillStates.Failed, $"{where}: the launch was refused: {exception.Message}",
                time.GetUtcNow(), cancellationToken);
        }
    }
}
