namespace OpsConsole.Server.Logs;

/// <summary>Run logs. Section <c>Logs</c>.</summary>
public sealed class LogOptions
{
    public const string Section = "Logs";

    /// <summary>Lines per run kept in memory for live viewers; older ones are read from the archive.</summary>
    public int BufferLines { get; set; } = 100_000;

    /// <summary>How often unarchived lines are written to the run's archive (milliseconds).</summary>
    public int ArchiveIntervalMs { get; set; } = 500;

    /// <summary>How long a finished run's buffer stays in memory for viewers (seconds).</summary>
    public int KeepFinishedSeconds { get; set; } = 300;
}
