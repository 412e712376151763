using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OpsConsole.TestSupport;

// The first seconds of a run, through the console's Release build as a process of its own (build Console.Server -c
// Release first):
//   api [launches=10]      launch to first log line: a launch over the API, the clock stopped when the run's first log
//                          line can be read back (polled every 10 ms); the embedded Sandbox with 2,000 charges and no
//                          latency; through the local runner and through the Kubernetes runner against the Kubernetes API
//                          test server (whose pod is a process on this machine: no scheduling, no image pull).
//   browser [launches=10]  the same in headless Chromium on the embedded default (the Sandbox as it ships): the Runs
//                          page open, signed in as the operator; the clock starts at the click on the launch dialog's
//                          Launch button and stops when the run page's log viewer shows its first row (the run is
//                          then cancelled over the API and awaited).
//   plan [launches=5]      planning a full sync of charges with 8 workers against the embedded Sandbox as it ships
//                          (10,000 charges over 90 days, 300 ms latency with 100 ms jitter, the test key's 25
//                          requests/s): from the line "finding the oldest" to the plan line, by the job's own timestamps.
// One warm-up launch first, then one run at a time.
// usage: dotnet bench/LaunchBench/bin/Release/net10.0/OpsConsole.Bench.Launch.dll api|browser|plan [launches]
var mode = args.Length > 0 ? args[0] : "api";
var root = Root();
var consoleDll = Path.Combine(root, "Console.Server", "bin", "Release", "net10.0", "OpsConsole.Server.dll");
var jobDll = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
if (!File.Exists(consoleDll))
{
    Console.Error.WriteLine($"{consoleDll} is missing: dotnet build Console.Server -c Release");
    return 1;
}
var launchesArg = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
switch (mode)
{
    case "api":
        await ApiAsync(launchesArg > 0 ? launchesArg : 10);
        return 0;
    case "browser":
        await BrowserAsync(launchesArg > 0 ? launchesArg : 10);
        return 0;
    case "plan":
        await PlanAsync(launchesArg > 0 ? launchesArg : 5);
        return 0;
    default:
        Console.Error.WriteLine("usage: LaunchBench api|browser|plan [launches]");
        return 2;
}

async Task ApiAsync(int launches)
{
    await using var kube = await KubernetesApiServer.StartAsync();
    kube.Images = _ => ("dotnet", [jobDll]);
    var results = new Dictionary<string, List<double>> { ["local"] = [], ["kubernetes"] = [] };
    foreach (var kind in results.Keys)
    {
        using var console = await ConsoleProcess.StartAsync(consoleDll, kind, kube, jobDll, ["--Sandbox:Charges", "2000", "--Sandbox:LatencyMs", "0", "--Sandbox:JitterMs", "0"]);
        kube.Secrets["opsconsole-source"] = new() { ["STRIPE_SECRET_KEY"] = "sk_live_sandbox" };
        for (var i = 0; i < launches + 1; i++)
        {
            var (seconds, _) = await console.LaunchAsync(workers: 4);
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
}

async Task BrowserAsync(int launches)
{
    await using var kube = await KubernetesApiServer.StartAsync();
    using var console = await ConsoleProcess.StartAsync(consoleDll, "local", kube, jobDll, []);
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
    var page = await context.NewPageAsync();
    await page.GotoAsync("/signin");
    await page.GetByLabel("User name").FillAsync("operator");
    await page.GetByLabel("Password").FillAsync(ConsoleProcess.Password);
    await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
    var toPage = new List<double>();
    var toRow = new List<double>();
    string? previous = null;
    for (var i = 0; i < launches + 1; i++)
    {
        await page.GotoAsync("/runs");
        // The page is prerendered: a click before its circuit is connected does nothing, so click until the dialog opens.
        for (var attempt = 0; await page.GetByRole(AriaRole.Dialog).CountAsync() == 0; attempt++)
        {
            await page.Locator("#launch-run").ClickAsync();
            try
            {
                await page.GetByRole(AriaRole.Dialog).WaitForAsync(new() { Timeout = 2_000 });
            }
            catch (TimeoutException) when (attempt < 10)
            {
            }
        }
        await page.GetByRole(AriaRole.Dialog).GetByText("Full (everything)").ClickAsync();
        var watch = Stopwatch.StartNew();
        await page.Locator("#launch-submit").ClickAsync();
        // The console navigates within the page (no new document): only the address is waited for.
        try
        {
            await page.WaitForURLAsync(url => url.Contains("/runs/run-", StringComparison.Ordinal), new() { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            var dialog = await page.GetByRole(AriaRole.Dialog).CountAsync() > 0 ? await page.GetByRole(AriaRole.Dialog).InnerTextAsync() : await page.InnerTextAsync("body");
            Console.WriteLine($"no run page after Launch; the page shows: {dialog}");
            if (previous is not null)
            {
                Console.WriteLine($"the log of the run before, {previous}:");
                foreach (var line in await console.LogAsync(previous))
                {
                    Console.WriteLine($"  {line.Ts:HH:mm:ss.fff} {line.Msg}");
                }
                var folder = Path.Combine(console.Data, "runs", previous);
                foreach (var file in Directory.GetFiles(folder))
                {
                    Console.WriteLine($"  {Path.GetFileName(file)}: {new FileInfo(file).Length} bytes{(file.EndsWith("exit-code", StringComparison.Ordinal) ? ": " + File.ReadAllText(file).Trim() : "")}");
                }
                Console.WriteLine(await console.RunJsonAsync(previous));
            }
            throw;
        }
        var navigated = watch.Elapsed.TotalSeconds;
        await page.Locator("#log-viewer .lv-conn[data-state=connected]").WaitForAsync(new() { Timeout = 60_000 });
        var connected = watch.Elapsed.TotalSeconds;
        await page.Locator("#log-viewer .lv-row").First.WaitForAsync(new() { Timeout = 60_000 });
        var firstRow = watch.Elapsed.TotalSeconds;
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        Console.WriteLine($"launch {i}: run page {navigated * 1000:0} ms, log hub connected {connected * 1000:0} ms, first log row {firstRow * 1000:0} ms ({id})");
        if (i > 0)
        {
            toPage.Add(navigated);
            toRow.Add(firstRow);
        }
        await console.CancelAndWaitAsync(id);
        previous = id;
    }
    toPage.Sort();
    toRow.Sort();
    Console.WriteLine($"{launches} launches from the browser after one warm-up, one at a time; {Environment.ProcessorCount} cores, .NET {Environment.Version}, headless Chromium");
    Console.WriteLine($"click Launch to the run page: p50 {toPage[toPage.Count / 2] * 1000:0} ms, max {toPage[^1] * 1000:0} ms");
    Console.WriteLine($"click Launch to the first log row: p50 {toRow[toRow.Count / 2] * 1000:0} ms, max {toRow[^1] * 1000:0} ms");
}

async Task PlanAsync(int launches)
{
    await using var kube = await KubernetesApiServer.StartAsync();
    using var console = await ConsoleProcess.StartAsync(consoleDll, "local", kube, jobDll, []);
    var times = new List<double>();
    for (var i = 0; i < launches + 1; i++)
    {
        var (_, lines) = await console.LaunchAsync(workers: 8);
        var found = lines.FirstOrDefault(l => l.Msg.Contains("finding the oldest", StringComparison.Ordinal));
        var planned = lines.FirstOrDefault(l => l.Msg.Contains("slices to fetch", StringComparison.Ordinal));
        if (found is null || planned is null)
        {
            throw new InvalidOperationException("the run's log has no planning lines");
        }
        var rounds = lines.Where(l => l.Msg.StartsWith("Planning:", StringComparison.Ordinal)).ToList();
        var seconds = (planned.Ts - found.Ts).TotalSeconds;
        Console.WriteLine($"launch {i}: planning {seconds * 1000:0} ms, {rounds.Count} rounds; {planned.Msg}");
        if (i > 0)
        {
            times.Add(seconds);
        }
    }
    times.Sort();
    Console.WriteLine($"{launches} full syncs after one warm-up; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
    Console.WriteLine($"planning (first probe to plan line): p50 {times[times.Count / 2] * 1000:0} ms, max {times[^1] * 1000:0} ms");
}

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

    public const string Password = "bench-operator-password";

    private ConsoleProcess(Process process, HttpClient client, string data) => (_process, _client, _data) = (process, client, data);

    public string BaseUrl => _client.BaseAddress!.ToString();

    public string Data => _data;

    public Task<string> RunJsonAsync(string id) => _client.GetStringAsync(new Uri($"/api/runs/{id}", UriKind.Relative));

    /// <summary>Cancels the run and waits for it to end.</summary>
    public async Task CancelAndWaitAsync(string id)
    {
        await _client.PostAsJsonAsync(new Uri($"/api/runs/{id}/cancel", UriKind.Relative), new { });
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var run = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{id}", UriKind.Relative));
            if (run.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled")
            {
                return;
            }
        }
        throw new TimeoutException($"run {id} did not end within 120 s of its cancel");
    }

    public static async Task<ConsoleProcess> StartAsync(string dll, string kind, KubernetesApiServer kube, string jobDll, string[] sandbox)
    {
        var data = Directory.CreateTempSubdirectory("opsconsole-launch-bench-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[dll, "--urls", $"http://127.0.0.1:{port}", "--Runner:Kind", kind, "--Runner:Job", jobDll,
                     "--Kubernetes:Kubeconfig", kube.Kubeconfig, "--Kubernetes:Image", "opsconsole/job:bench", "--Sandbox:Url", "http://127.0.0.1:0",
                     "--Logging:LogLevel:Default", "Warning", .. sandbox])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OPSCONSOLE_DATA"] = data;
        start.Environment["OPSCONSOLE_OPERATOR_PASSWORD"] = Password;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + Password)));
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

    /// <summary>Seconds from sending the launch to reading the run's first log line, and its whole log once it has ended.</summary>
    public async Task<(double Seconds, List<BenchLine> Lines)> LaunchAsync(int workers)
    {
        var watch = Stopwatch.StartNew();
        var response = await _client.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { stream = "charges", mode = "full", workers });
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
        for (var deadline = DateTime.UtcNow.AddSeconds(300); ; await Task.Delay(200))
        {
            var run = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{id}", UriKind.Relative));
            if (run.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled")
            {
                break;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {id} did not end within 300 s");
            }
        }
        return (seconds, await LogAsync(id!));
    }

    /// <summary>The run's log, its first 5,000 lines.</summary>
    public async Task<List<BenchLine>> LogAsync(string id)
    {
        var lines = new List<BenchLine>();
        var all = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{id}/logs?after=0&limit=5000", UriKind.Relative));
        foreach (var line in all.GetProperty("lines").EnumerateArray())
        {
            if (DateTimeOffset.TryParse(line.GetProperty("ts").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ts))
            {
                lines.Add(new BenchLine(ts, line.GetProperty("msg").GetString() ?? ""));
            }
        }
        return lines;
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

internal sealed record BenchLine(DateTimeOffset Ts, string Msg);
