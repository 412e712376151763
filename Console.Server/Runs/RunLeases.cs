namespace OpsConsole.Server.Runs;

/// <summary>Who may hold a stream's lease in the state store besides a job.</summary>
internal static class RunLeases
{
    /// <summary>The holder (run id part, as the job's holders have) while an administrator's checkpoint change is written.</summary>
    public const string CheckpointChange = "checkpoint-change";
}
