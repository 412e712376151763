namespace OpsConsole.Shared.Runs;

/// <summary>
/// A run's life: Pending → Starting → Running → Succeeded | Failed | Cancelling → Cancelled.
/// A run that is cancelled before its job reports moves to Cancelling from Pending or Starting too, and a job that
/// ends on its own while being cancelled keeps its real outcome (it may have committed). A run whose job failed in a
/// way another attempt can get past, with attempts left (<see cref="RetryPolicy"/>), goes back from Starting or
/// Running to Pending, holding its stream, until its next attempt starts.
/// </summary>
public enum RunState
{
    Pending,
    Starting,
    Running,
    Cancelling,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>The legal moves between <see cref="RunState"/>s.</summary>
public static class RunStates
{
    private static readonly Dictionary<RunState, RunState[]> Moves = new()
    {
        [RunState.Pending] = [RunState.Starting, RunState.Cancelling, RunState.Failed],
        [RunState.Starting] = [RunState.Pending, RunState.Running, RunState.Cancelling, RunState.Succeeded, RunState.Failed],
        [RunState.Running] = [RunState.Pending, RunState.Cancelling, RunState.Succeeded, RunState.Failed],
        [RunState.Cancelling] = [RunState.Cancelled, RunState.Succeeded, RunState.Failed],
        [RunState.Succeeded] = [],
        [RunState.Failed] = [],
        [RunState.Cancelled] = [],
    };

    /// <summary>States in which the run holds its stream.</summary>
    public static IReadOnlyList<RunState> Active { get; } = [RunState.Pending, RunState.Starting, RunState.Running, RunState.Cancelling];

    public static bool IsActive(this RunState state) => state is RunState.Pending or RunState.Starting or RunState.Running or RunState.Cancelling;

    public static bool CanMove(RunState from, RunState to) => Moves[from].Contains(to);

    /// <summary>The states a run may be in to move to <paramref name="to"/>.</summary>
    public static IReadOnlyList<RunState> Sources(RunState to) => [.. Moves.Where(move => move.Value.Contains(to)).Select(move => move.Key)];
}
