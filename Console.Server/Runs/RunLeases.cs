namespace OpsConsole.Server.Runs;

/// <summary>Who may hold a stream's lease in the state store besides a job.</summary>
internal static class RunLeases
{
    /// <summary>The holder (run id part, as the job's holders have) while an administrator's checkpoint change is written.</summary>
    public const string CheckpointChange = "checkpoint-change";

    /// <summary>The holder while an administrator compacts, vacuums or cleans a stream's table.</summary>
    public const string TableMaintenance = "table-maintenance";

    /// <summary>Whether a lease holder is the console's own (a change an administrator is making), not a job.</summary>
    public static bool IsConsoles(string holder) =>
        holder.StartsWith(CheckpointChange + "@", StringComparison.Ordinal) || holder.StartsWith(TableMaintenance + "@", StringComparison.Ordinal);

    /// <summary>What an administrator holding the stream is doing, for a refused launch.</summary>
    public static string Describe(string holder) => holder.StartsWith(TableMaintenance + "@", StringComparison.Ordinal)
        ? "an administrator is maintaining the table" : "an administrator is changing the checkpoint";
}
