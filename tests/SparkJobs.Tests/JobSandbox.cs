using System.Text.Json;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// What a test of whole runs needs: a Sandbox on loopback with the given options, an admin client for its truth and
/// admin endpoints, and a temporary folder for the lake and the state store, unless store URIs are given (S3,
/// DynamoDB). Disposing removes the folder.
/// </summary>
public sealed class JobSandbox : IAsyncDisposable
{
    private readonly string? _lake;
    private readonly string? _state;

    private JobSandbox(RunningSandbox sandbox, string folder, string? lake, string? state)
    {
        Sandbox = sandbox;
        Folder = folder;
        (_lake, _state) = (lake, state);
        Admin = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public RunningSandbox Sandbox { get; }

    public HttpClient Admin { get; }

    public string Folder { get; }

    /// <summary>The lake's URI: a folder in <see cref="Folder"/> unless another was given.</summary>
    public string Lake => _lake ?? Path.Combine(Folder, "lake");

    /// <summary>The state store's URI: a SQLite file in <see cref="Folder"/> unless another was given.</summary>
    public string State => _state ?? Path.Combine(Folder, "state.db");

    /// <summary>Starts the Sandbox without latency, limits or live traffic unless <paramref name="configure"/> says otherwise.</summary>
    public static async Task<JobSandbox> StartAsync(string name, Action<SandboxOptions> configure, string? lake = null, string? state = null)
    {
        var options = new SandboxOptions
        {
            ArrivalsPerSecond = 0, UpdatesPerSecond = 0, LatencyMs = 0, JitterMs = 0, LiveRatePerSecond = 0, TestRatePerSecond = 0, Admin = true,
        };
        configure(options);
        return new JobSandbox(await SandboxApp.StartAsync(options), Path.Combine(Path.GetTempPath(), $"opsconsole-{name}-{Guid.NewGuid():N}"), lake, state);
    }

    /// <summary>The job's command line on charges against this Sandbox, with this folder's lake and state: exit code, stdout, stderr.</summary>
    public async Task<(int Code, string Output, string Error)> RunChargesAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await JobCommand.RunAsync([.. args, "--stream", "charges", "--safety-lag-seconds", "0", "--state", State, "--lake", Lake,
            "--api-base", Sandbox.BaseAddress.ToString()], output, error, name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The charges the Sandbox serves created in [<paramref name="from"/>, <paramref name="to"/>) (open ends when null), as a client reads them.</summary>
    public async Task<List<JsonElement>> SentChargesAsync(long? from = null, long? to = null)
    {
        using var client = new StripeClient(new StripeClientOptions
        {
            BaseAddress = Sandbox.BaseAddress, Credentials = StripeCredentials.Key("sk_live_sandbox"), RequestsPerSecond = 10_000,
        });
        var sent = new List<JsonElement>();
        await foreach (var page in client.ListAsync(StripeStream.Charges, from, to, CancellationToken.None))
        {
            using (page)
            {
                sent.AddRange(page.Data.EnumerateArray().Select(o => o.Clone()));
            }
        }
        return sent;
    }

    /// <summary>The job's output, one JSON object per line.</summary>
    public static List<JsonElement> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

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
