using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.TestSupport;

// Launch to first log line: the console (Release build, a process of its own, its embedded Sandbox with 2,000
// charges and no latency) launches a run over the API and the clock stops when the run's first log line can be read
// back (polled every 10 ms), through the local runner and through the Kubernetes runner against the Kubernetes API
// test server (whose pod is a process on this machine: no scheduling, no image pull). One run at a time, alternating.
// usage: dotnet run -c Release --project bench/LaunchBench -- [launches=10]   (build Console.Server -c Release first)
var launches = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var root = Root();
var consoleDll = Path.Combine(root, "Console.Server", "bin", "Release", "net10.0", "OpsConsole.Server.dll");
var jobDll = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
if (!File.Exists(consoleDll))
{
    Console.Error.WriteLine($"{consoleDll} is missing: dotnet build Console.Server -c Release");
    return 1;
}
await using var kube = await KubernetesApiServer.StartAsync();
kube.Images = _ => ("dotnet", [jobDll]);
var results = new Dictionary<string, List<double>> { ["local"] = [], ["kubernetes"] = [] };
foreach (var kind in results.Keys)
{
    using var console = await ConsoleProcess.StartAsync(consoleDll, kind, kube, jobDll);
    kube.Secrets["opsconsole-source"] = new() { ["STRIPE_SECRET_KEY"] = "sk_live_sandbox" };
    for (var i = 0; i < launches + 1; i++)
    {
        var seconds = await console.LaunchToFirstLineAsync();
        if (i > 0)
        {
            results[kind].Add(seconds); // the first launch of each console warms it up
        }
    }
}
Console.WriteLine($"{launches} launches each after one warm-up, one at a time; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
foreach (var (kind, times) in results)
{
    times.Sort();
    Console.WriteLine($"{kind} runner: launch to first log line p50 {times[times.Count / 2] * 1000:0} ms, max {times[^1] * 1000:0} ms");
}
return 0;

static string Root()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "Console.sln")))
        {
            return folder.FullName;
        }
    }
    throw new InvalidOperationException("Console.sln not found above the bench.");
}

/// <summary>The console as a process of its own with one runner, and an operator's client.</summary>
internal sealed class ConsoleProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _client;
    private readonly string _data;

    private ConsoleProcess(Process process, HttpClient client, string data) => (_process, _client, _data) = (process, client, data);

    public static async Task<ConsoleProcess> StartAsync(string dll, string kind, KubernetesApiServer kube, string jobDll)
    {
        var data = Directory.CreateTempSubdirectory("opsconsole-launch-bench-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[dll, "--urls", $"http://127.0.0.1:{port}", "--Runner:Kind", kind, "--Runner:Job", jobDll,
                     "--Kubernetes:Kubeconfig", kube.Kubeconfig, "--Kubernetes:Image", "opsconsole/job:bench", "--Sandbox:Url", "http://127.0.0.1:0",
                     "--Sandbox:Charges", "2000", "--Sandbox:LatencyMs", "0", "--Sandbox:JitterMs", "0", "--Logging:LogLevel:Default", "Warning"])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OPSCONSOLE_DATA"] = data;
        start.Environment["OPSCONSOLE_OPERATOR_PASSWORD"] = "bench-operator-password";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:bench-operator-password")));
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            try
            {
                if ((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
        }
        return new ConsoleProcess(process, client, data);
    }

    /// <summary>Seconds from sending the launch to reading the run's first log line; waits for the run to end after.</summary>
    public async Task<double> LaunchToFirstLineAsync()
    {
        var watch = Stopwatch.StartNew();
        var response = await _client.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { stream = "charges", mode = "full", workers = 4 });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        double seconds;
        while (true)
        {
            var page = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{id}/logs?after=0&limit=1", UriKind.Relative));
            if (page.GetProperty("lines").GetArrayLength() > 0)
            {
                seconds = watch.Elapsed.TotalSeconds;
                break;
            }
            await Task.Delay(10);
        }
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var run = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{id}", UriKind.Relative));
            if (run.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled")
            {
                break;
            }
        }
        return seconds;
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        _client.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
