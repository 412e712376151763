namespace OpsConsole.Server.Data;

/// <summary>Where the console keeps its state. Section <c>Data</c>.</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>Environment variable that sets <see cref="Path"/>; it overrides every other source.</summary>
    public const string EnvironmentVariable = "OPSCONSOLE_DATA";

    /// <summary>The data folder: the SQLite database, data-protection keys, run logs, the local lake.</summary>
    public string Path { get; set; } = "data";

    /// <summary>The SQLite database file inside the data folder.</summary>
    public string DatabaseFile => System.IO.Path.Combine(FullPath, "opsconsole.db");

    /// <summary>The data folder as an absolute path.</summary>
    public string FullPath => System.IO.Path.GetFullPath(Path);
}
