using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// What a test of whole runs needs: a Sandbox on loopback with the given options, an admin client for its truth and
/// admin endpoints, and a temporary folder for the lake and the state store. Disposing removes all of it.
/// </summary>
public sealed class JobSandbox : IAsyncDisposable
{
    private JobSandbox(RunningSandbox sandbox, string folder)
    {
        Sandbox = sandbox;
        Folder = folder;
        Admin = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public RunningSandbox Sandbox { get; }

    public HttpClient Admin { get; }

    public string Folder { get; }

    public string Lake => Path.Combine(Folder, "lake");

    public string State => Path.Combine(Folder, "state.db");

    /// <summary>Starts the Sandbox without latency, limits or live traffic unless <paramref name="configure"/> says otherwise.</summary>
    public static async Task<JobSandbox> StartAsync(string name, Action<SandboxOptions> configure)
    {
        var options = new SandboxOptions
        {
            ArrivalsPerSecond = 0, UpdatesPerSecond = 0, LatencyMs = 0, JitterMs = 0, LiveRatePerSecond = 0, TestRatePerSecond = 0, Admin = true,
        };
        configure(options);
        return new JobSandbox(await SandboxApp.StartAsync(options), Path.Combine(Path.GetTempPath(), $"opsconsole-{name}-{Guid.NewGuid():N}"));
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
