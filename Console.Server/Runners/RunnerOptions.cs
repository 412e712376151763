namespace OpsConsole.Server.Runners;

/// <summary>How runs are started and stopped. Section <c>Runner</c>.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    /// <summary>Which runner starts jobs: <c>local</c> (a child process of the console).</summary>
    public string Kind { get; set; } = "local";

    /// <summary>
    /// The job to run: the SparkJobs assembly (<c>.dll</c>, started with <c>dotnet</c>) or an executable. Empty: the
    /// SparkJobs build next to the console.
    /// </summary>
    public string Job { get; set; } = "";

    /// <summary>Seconds between the graceful stop (SIGTERM) and the kill (SIGKILL) of a cancelled run.</summary>
    public int GracePeriodSeconds { get; set; } = 30;

    /// <summary>How often a quiet job's output is checked for new lines (milliseconds).</summary>
    public int PollMs { get; set; } = 20;

    /// <summary>The job's path, resolved.</summary>
    public string JobPath => Path.GetFullPath(string.IsNullOrEmpty(Job) ? Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll") : Job);

    /// <summary>The program to start and the arguments before the job's own.</summary>
    public (string Program, IReadOnlyList<string> Prefix) JobCommand() =>
        JobPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? (DotnetHost(), [JobPath])
            : (JobPath, []);

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
