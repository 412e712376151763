namespace OpsConsole.Shared.Auth;

/// <summary>
/// The roles of the console, ordered by what they may do: each role can do everything the one before it can.
/// </summary>
public enum ConsoleRole
{
    /// <summary>Reads everything: runs, logs, checkpoints, quality, costs, audit.</summary>
    Viewer = 0,

    /// <summary>A viewer who also launches and cancels runs.</summary>
    Operator = 1,

    /// <summary>An operator who also resets and restores checkpoints, forces cancels and manages users.</summary>
    Admin = 2,
}
