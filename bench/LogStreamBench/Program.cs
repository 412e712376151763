using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsConsole.Bench.LogStream.Wire;
using Microsoft.Playwright;

// Live log streaming under load, end to end through the real console process (Release build).
//   hub     [rate] [seconds] [viewers] [runner] [protocol]
//                                        a job writes `rate` lines/s for `seconds`; `viewers` SignalR clients follow it (the
//                                        .NET client, all in this process, over `protocol`: json or messagepack, the
//                                        default): lines delivered vs produced, emit-to-receipt latency, console CPU and
//                                        peak memory.
//                                        runner: local (a child process, the default) or kubernetes (a pod of the
//                                        Kubernetes API test server, its log followed with follow=true&timestamps=true).
//   browser [rate] [seconds]            the run page in headless Chromium while the job writes `rate` lines/s: frame
//                                        times, input delay of key presses in the log search, JS heap over time.
//   runs [count]                        the Runs page in headless Chromium over a store of `count` runs (default 100,000):
//                                        time to the first rows, to a sort change and to a filter change.
//   api [runs] [audit] [seconds] [connections]
//                                        the read API over a store of `runs` runs (default 100,000) and `audit` audit
//                                        entries (default 1,000,000): autocannon (tests/tools/api-load.mjs) with
//                                        `connections` connections (default 100) for `seconds` (default 60) on each URL,
//                                        with an API key: latency p50/p95/p99, requests/s, console CPU and peak memory.
// BENCH_DEBUG=1 logs the hub viewers' SignalR client at Debug (to see why a stream ended).
//   ingest ...                          (what the console starts as the job) writes BENCH_RATE lines/s for BENCH_SECONDS.
var mode = args.Length > 0 ? args[0] : "hub";
return mode switch
{
    "ingest" => await Producer.RunAsync(),
    "hub" => await HubBench.RunAsync(Arg(1, 20_000), Arg(2, 60), Arg(3, 20), args.Length > 4 ? args[4] : "local", args.Length > 5 ? args[5] : "messagepack"),
    "browser" => await BrowserBench.RunAsync(Arg(1, 5_000), Arg(2, 60)),
    "runs" => await RunsPageBench.RunAsync(Arg(1, 100_000)),
    "api" => await ApiBench.RunAsync(Arg(1, 100_000), Arg(2, 1_000_000), Arg(3, 60), Arg(4, 100)),
    _ => Usage(),
};

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static int Usage()
{
    Console.Error.WriteLine("usage: LogStreamBench hub [rate] [seconds] [viewers] [local|kubernetes] [json|messagepack] | browser [rate] [seconds] | runs [count] | api [runs] [audit] [seconds] [connections]");
    return 2;
}

/// <summary>The job: JSON lines at a steady rate, each with its emit time, after a pause that lets viewers connect.</summary>
internal static class Producer
{
    public static async Task<int> RunAsync()
    {
        var rate = int.Parse(Environment.GetEnvironmentVariable("BENCH_RATE") ?? "1000", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Environment.GetEnvironmentVariable("BENCH_SECONDS") ?? "10", CultureInfo.InvariantCulture);
        using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        await output.WriteLineAsync("""{"level":"info","source":"driver","event":"log","msg":"producer waiting for viewers"}""");
        await output.FlushAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var total = (long)rate * seconds;
        var clock = Stopwatch.StartNew();
        var sources = new[] { "driver", "executor-1", "executor-2", "executor-3", "executor-4" };
        var levels = new[] { "info", "info", "info", "debug", "warn" };
        for (long written = 0; written < total;)
        {
            // Every 5 ms, whatever the schedule says is due.
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate));
            for (; written < due; written++)
            {
                var emit = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (Stopwatch.GetTimestamp() % 1000) / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
                await output.WriteLineAsync(
                    $$"""{"ts":"{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}}","level":"{{levels[written % 5]}}","source":"{{sources[written % 5]}}","event":"log","msg":"record batch {{written + 1}} merged into partition dt=2026-11-26 with 100 rows","emit":{{emit}}}""");
            }
            await output.FlushAsync();
            await Task.Delay(5);
        }
        await output.WriteLineAsync($$"""{"level":"info","source":"driver","event":"summary","msg":"produced {{total}} lines","records":{{total}}}""");
        await output.FlushAsync();
        return 0;
    }
}

/// <summary>The console as a real process with the producer as its job, and a signed-in API client.</summary>
internal sealed class BenchConsole : IAsyncDisposable
{
    public const string Password = "bench-password";

    private readonly Process _process;

    private BenchConsole(Process process, string baseUrl, string data)
    {
        _process = process;
        BaseUrl = baseUrl;
        Data = data;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{Password}")));
    }

    public string BaseUrl { get; }

    public string Data { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    public static async Task<BenchConsole> StartAsync(int rate, int seconds, OpsConsole.TestSupport.KubernetesApiServer? kube = null)
    {
        var root = FindRoot();
        var server = Path.Combine(root, "Console.Server", "bin", "Release", "net10.0", "OpsConsole.Server.dll");
        if (!File.Exists(server))
        {
            throw new FileNotFoundException("Build the console first: dotnet build Console.Server -c Release", server);
        }
        var data = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("N"));
        var baseUrl = "http://127.0.0.1:5191";
        var start = new ProcessStartInfo("dotnet", [server, "--urls", baseUrl, "--Sandbox:Enabled", "false", "--Source:ApiBase", "http://127.0.0.1:9",
            "--Source:SecretKey", "sk_test_bench", "--Runner:Job", Path.Combine(AppContext.BaseDirectory, "OpsConsole.Bench.LogStream.dll"),
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:OpsConsole", "Information",
            .. kube is null ? Array.Empty<string>() : ["--Runner:Kind", "kubernetes", "--Kubernetes:Kubeconfig", kube.Kubeconfig, "--Kubernetes:Image", "opsconsole/bench-producer"]])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["OPSCONSOLE_DATA"] = data, ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["OPSCONSOLE_OPERATOR_PASSWORD"] = Password, ["OPSCONSOLE_VIEWER_PASSWORD"] = Password, ["OPSCONSOLE_ADMIN_PASSWORD"] = Password,
                ["BENCH_RATE"] = rate.ToString(CultureInfo.InvariantCulture), ["BENCH_SECONDS"] = seconds.ToString(CultureInfo.InvariantCulture),
            },
        };
        var process = Process.Start(start)!;
        // The console's own log, for when something goes wrong: /tmp/opsconsole-bench-console.log.
        var log = new StreamWriter(Path.Combine(Path.GetTempPath(), "opsconsole-bench-console.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                lock (log)
                {
                    log.WriteLine(text);
                }
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                Console.Error.WriteLine($"console: {text}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var console = new BenchConsole(process, baseUrl, data);
        for (var i = 0; ; i++)
        {
            try
            {
                if ((await console.Client.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return console;
                }
            }
            catch (HttpRequestException) when (i < 300)
            {
            }
            await Task.Delay(100);
        }
    }

    public async Task<string> LaunchAsync()
    {
        var response = await Client.PostAsJsonAsync("/api/runs", new { stream = "charges" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> RunAsync(string id) => await Client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");

    public async Task WaitForEndAsync(string id)
    {
        while ((await RunAsync(id)).GetProperty("state").GetString() is "Pending" or "Starting" or "Running" or "Cancelling")
        {
            await Task.Delay(500);
        }
    }

    /// <summary>CPU seconds (user + system) the console has used so far.</summary>
    public double CpuSeconds()
    {
        var fields = File.ReadAllText($"/proc/{Pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>A /proc status value in MiB (VmRSS, VmHWM).</summary>
    public double MemoryMiB(string field) =>
        long.Parse(File.ReadLines($"/proc/{Pid}/status").First(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;

    public static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Console.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Console.sln not found");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(Data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class HubBench
{
    public static async Task<int> RunAsync(int rate, int seconds, int viewers, string runner, string protocol)
    {
        if (protocol is not ("json" or "messagepack"))
        {
            Console.Error.WriteLine($"protocol '{protocol}' is not json or messagepack");
            return 2;
        }
        await using var kube = runner == "kubernetes" ? await ProducerPods.StartAsync(rate, seconds) : null;
        await using var console = await BenchConsole.StartAsync(rate, seconds, kube);
        var id = await console.LaunchAsync();
        var cpuBefore = console.CpuSeconds();
        var clock = Stopwatch.StartNew();
        var following = Task.WhenAll(Enumerable.Range(0, viewers).Select(_ => new LogViewer(console.BaseUrl, "viewer", BenchConsole.Password, id, protocol).FollowAsync()));
        var peakRss = 0.0;
        while (!following.IsCompleted)
        {
            peakRss = Math.Max(peakRss, console.MemoryMiB("VmRSS"));
            await Task.WhenAny(following, Task.Delay(500));
        }
        var results = await following;
        await console.WaitForEndAsync(id);
        var cpu = console.CpuSeconds() - cpuBefore;
        var wall = clock.Elapsed.TotalSeconds;
        var run = await console.RunAsync(id);
        var produced = run.GetProperty("progress").GetProperty("records").GetInt64();
        var lastSeq = (await console.Client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}/logs?after=0&limit=1")).GetProperty("lastSeq").GetInt64();
        Console.WriteLine($"{rate} lines/s for {seconds} s, {viewers} viewers (.NET SignalR client, {protocol}, one process), {runner} runner, {Environment.ProcessorCount} cores");
        Console.WriteLine($"lines produced by the job: {produced:N0} (+2 framing lines); log lines: {lastSeq:N0}");
        Console.WriteLine($"lines delivered per viewer: min {results.Min(r => r.Received):N0}, max {results.Max(r => r.Received):N0}; " +
            $"duplicates {results.Sum(r => r.Duplicates)}, missing {results.Sum(r => r.Missing)}, " +
            $"fetched over REST after a gap {results.Sum(r => r.GapLines):N0}, reconnects {results.Sum(r => r.Reconnects)}");
        var p50s = results.Select(r => r.P50).Order().ToList();
        var p99s = results.Select(r => r.P99).Order().ToList();
        Console.WriteLine($"emit-to-receipt latency: p50 {p50s[p50s.Count / 2]:F0} ms (median of viewers; range {p50s[0]:F0}-{p50s[^1]:F0}), " +
            $"p99 {p99s[p99s.Count / 2]:F0} ms (range {p99s[0]:F0}-{p99s[^1]:F0}), max {results.Max(r => r.Max):F0} ms");
        Console.WriteLine($"wire: {results.Sum(r => r.Batches):N0} batches, {results.Sum(r => r.StreamedLines):N0} streamed lines");
        Console.WriteLine($"console CPU: {cpu:F1} s over {wall:F0} s wall = {cpu / wall * 100:F0}% of one core; peak RSS {Math.Max(peakRss, console.MemoryMiB("VmHWM")):F0} MiB (VmHWM {console.MemoryMiB("VmHWM"):F0} MiB)");
        var exact = results.All(r => r.Received == lastSeq && r.Duplicates == 0);
        Console.WriteLine(exact ? "every viewer got every line exactly once" : "LINES LOST OR DUPLICATED");
        return exact ? 0 : 1;
    }
}

internal sealed record ViewerResult(long Received, long Duplicates, long Missing, long GapLines, int Reconnects, double P50, double P99, double Max, long Batches, long StreamedLines);

/// <summary>
/// One viewer as the console's own follows a run: the hub stream from its last line, gaps fetched over REST, a dropped
/// connection opened again from where it was. Latency is from the line's <c>emit</c> field (unix ms) to the batch's receipt.
/// </summary>
internal sealed class LogViewer(string baseUrl, string user, string password, string runId, string protocol)
{
    // Compact on purpose: 20 viewers of 1.2 million lines in one process would otherwise hold hundreds of MiB, and
    // this process's own collections would show up as latency. A bit a line seen; latency in 1 ms buckets.
    private readonly System.Collections.BitArray _seen = new(1 << 16);
    private readonly long[] _latencyMs = new long[600_001];
    private long _received;
    private long _latencies;
    private double _maxLatency;
    private long _duplicates;
    private long _lastSeq;
    private long _gapLines;
    private long _batches;
    private long _streamed;

    public async Task<ViewerResult> FollowAsync()
    {
        var authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        var reconnects = -1;
        for (var done = false; !done;)
        {
            reconnects++;
            var builder = new HubConnectionBuilder().WithUrl($"{baseUrl}/hubs/logs", options => options.Headers["Authorization"] = authorization);
            if (protocol == "messagepack")
            {
                builder.AddMessagePackProtocol();
            }
            if (Environment.GetEnvironmentVariable("BENCH_DEBUG") == "1")
            {
                builder.ConfigureLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Debug));
            }
            await using var connection = builder.Build();
            connection.Closed += error =>
            {
                if (error is not null)
                {
                    Console.Error.WriteLine($"viewer: the connection closed: {error.Message}");
                }
                return Task.CompletedTask;
            };
            await connection.StartAsync();
            try
            {
                await foreach (var batch in connection.StreamAsync<WireBatch>("Stream", runId, _lastSeq))
                {
                    var receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    _batches++;
                    if (batch.GapFrom is { } from)
                    {
                        await FetchAsync(http, from, batch.GapTo!.Value);
                    }
                    foreach (var line in batch.Lines)
                    {
                        _streamed++;
                        if (!Accept(line.Seq))
                        {
                            continue;
                        }
                        if (Emit(line.Text) is { } emit)
                        {
                            var latency = Math.Max(0, receivedAt - emit);
                            _latencyMs[(int)Math.Min(_latencyMs.Length - 1, latency)]++;
                            _latencies++;
                            _maxLatency = Math.Max(_maxLatency, latency);
                        }
                    }
                    if (batch.Done)
                    {
                        done = true;
                        break;
                    }
                }
                done = true;
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException
                                                  or Microsoft.AspNetCore.SignalR.HubException or System.Net.WebSockets.WebSocketException)
            {
                Console.Error.WriteLine($"viewer: the stream failed, reconnecting: {exception.Message}");
            }
        }
        var missing = 0L;
        for (var seq = 1L; seq <= _lastSeq; seq++)
        {
            if (!_seen[(int)seq])
            {
                missing++;
            }
        }
        double At(double q)
        {
            var rank = (long)(q * _latencies);
            for (long i = 0, below = 0; i < _latencyMs.Length; i++)
            {
                below += _latencyMs[i];
                if (below > rank)
                {
                    return i;
                }
            }
            return double.NaN;
        }
        return new ViewerResult(_received, _duplicates, missing, _gapLines, reconnects, At(0.5), At(0.99), _latencies == 0 ? double.NaN : _maxLatency, _batches, _streamed);
    }

    private bool Accept(long seq)
    {
        if (seq >= _seen.Length)
        {
            _seen.Length = (int)Math.Max(seq + 1, _seen.Length * 2L);
        }
        if (_seen[(int)seq])
        {
            _duplicates++;
            return false;
        }
        _seen[(int)seq] = true;
        _received++;
        _lastSeq = Math.Max(_lastSeq, seq);
        return true;
    }

    private async Task FetchAsync(HttpClient http, long from, long to)
    {
        for (var after = from - 1; after < to;)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}/logs?after={after}&limit=5000");
            var lines = page.GetProperty("lines");
            if (lines.GetArrayLength() == 0)
            {
                throw new InvalidOperationException($"no lines after {after}");
            }
            foreach (var line in lines.EnumerateArray())
            {
                var seq = line.GetProperty("seq").GetInt64();
                if (seq <= to)
                {
                    Accept(seq);
                    _gapLines++;
                }
                after = seq;
            }
        }
    }

    private static double? Emit(string text)
    {
        var at = text.IndexOf("\"emit\":", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var start = at + 7;
        var end = start;
        while (end < text.Length && (char.IsDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }
        return double.Parse(text.AsSpan(start, end - start), CultureInfo.InvariantCulture);
    }
}

internal static class BrowserBench
{
    private const string Probe = """
        () => {
          window.__bench = { frames: [], inputs: [], heap: [] };
          let last = performance.now();
          const frame = (now) => { window.__bench.frames.push(now - last); last = now; requestAnimationFrame(frame); };
          requestAnimationFrame(frame);
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) window.__bench.inputs.push({ delay: entry.processingStart - entry.startTime, duration: entry.duration, name: entry.name });
          }).observe({ type: "event", durationThreshold: 16, buffered: false });
          setInterval(() => window.__bench.heap.push(performance.memory ? performance.memory.usedJSHeapSize : 0), 1000);
        }
        """;

    public static async Task<int> RunAsync(int rate, int seconds)
    {
        await using var console = await BenchConsole.StartAsync(rate, seconds);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchBrowser.LaunchAsync(playwright);
        var page = await BenchBrowser.SignedInPageAsync(browser, console);

        var id = await console.LaunchAsync();
        await page.GotoAsync($"/runs/{id}");
        await page.Locator("#log-viewer .lv-row").First.WaitForAsync(new() { Timeout = 30_000 });
        await page.EvaluateAsync(Probe);
        var search = page.Locator("#log-viewer .lv-search");
        var clock = Stopwatch.StartNew();
        var samples = new List<(double At, long Lines, int Rows)>();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds + 5))
        {
            // An operator typing into the search box and clearing it again, every two seconds.
            await search.PressAsync("x");
            await Task.Delay(1000);
            await search.PressAsync("Backspace");
            await Task.Delay(1000);
            var state = await page.EvaluateAsync<JsonElement>("() => document.querySelector('#log-viewer').logViewer.state()");
            samples.Add((clock.Elapsed.TotalSeconds, state.GetProperty("lines").GetInt64(), await page.Locator("#log-viewer .lv-row").CountAsync()));
        }
        var bench = await page.EvaluateAsync<JsonElement>("() => window.__bench");
        var frames = bench.GetProperty("frames").EnumerateArray().Select(f => f.GetDouble()).Skip(5).Order().ToList();
        var inputs = bench.GetProperty("inputs").EnumerateArray().ToList();
        var heap = bench.GetProperty("heap").EnumerateArray().Select(h => h.GetDouble() / 1048576).ToList();
        double At(List<double> values, double q) => values.Count == 0 ? double.NaN : values[Math.Min(values.Count - 1, (int)(q * values.Count))];
        Console.WriteLine($"{rate} lines/s for {seconds} s into the run page (following the tail), headless Chromium, {Environment.ProcessorCount} cores");
        Console.WriteLine($"lines in the viewer at the end: {samples[^1].Lines:N0}; rows in the DOM: max {samples.Max(s => s.Rows)}");
        Console.WriteLine($"frame interval: p50 {At(frames, 0.5):F1} ms, p95 {At(frames, 0.95):F1} ms, p99 {At(frames, 0.99):F1} ms, max {frames[^1]:F0} ms over {frames.Count} frames " +
            $"({frames.Count(f => f > 50)} frames over 50 ms)");
        var delays = inputs.Select(i => i.GetProperty("delay").GetDouble()).Order().ToList();
        Console.WriteLine(inputs.Count == 0
            ? $"input events slower than 16 ms: none of {samples.Count * 2} key presses"
            : $"{samples.Count * 2} key presses; event timing entries over 16 ms (keydown, keypress, keyup, input): {inputs.Count}; " +
              $"input delay (event to handler) p50 {At(delays, 0.5):F0} ms, p95 {At(delays, 0.95):F0} ms, max {delays[^1]:F0} ms; " +
              $"longest event {inputs.Max(i => i.GetProperty("duration").GetDouble()):F0} ms");
        Console.WriteLine($"JS heap: {heap.FirstOrDefault():F0} MiB at the start, max {heap.DefaultIfEmpty().Max():F0} MiB, {heap.LastOrDefault():F0} MiB at the end " +
            $"(per 10 s: {string.Join(" ", heap.Where((_, i) => i % 10 == 0).Select(h => h.ToString("F0", CultureInfo.InvariantCulture)))})");
        return 0;
    }
}

/// <summary>The Kubernetes API test server whose pods run the producer (this program's <c>ingest</c>) at the bench's rate.</summary>
internal static class ProducerPods
{
    public static async Task<OpsConsole.TestSupport.KubernetesApiServer> StartAsync(int rate, int seconds)
    {
        var kube = await OpsConsole.TestSupport.KubernetesApiServer.StartAsync();
        var producer = Path.Combine(AppContext.BaseDirectory, "OpsConsole.Bench.LogStream.dll");
        kube.Images = image => image == "opsconsole/bench-producer" ? ("dotnet", [producer]) : throw new InvalidOperationException(image);
        kube.Secrets["opsconsole-source"] = new() { ["STRIPE_SECRET_KEY"] = "sk_test_bench" };
        // The pod's process inherits this environment: the rate and length the producer reads.
        Environment.SetEnvironmentVariable("BENCH_RATE", rate.ToString(CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("BENCH_SECONDS", seconds.ToString(CultureInfo.InvariantCulture));
        return kube;
    }
}

/// <summary>
/// The Runs page over a large store: the runs are written straight into the console's SQLite database (as years of
/// launches would leave them), then the page is opened, sorted and filtered in Chromium, each five times.
/// </summary>
internal static class RunsPageBench
{
    public static async Task<int> RunAsync(int count)
    {
        await using var console = await BenchConsole.StartAsync(1, 1);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(Path.Combine(console.Data, "opsconsole.db"), count);
        Console.WriteLine($"{count:N0} runs written to the store in {seeding.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores, headless Chromium, 1280 px");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchBrowser.LaunchAsync(playwright);
        var page = await BenchBrowser.SignedInPageAsync(browser, console);

        var firstRows = new List<double>();
        var sorts = new List<double>();
        var filters = new List<double>();
        var firstRow = page.Locator(".runs-grid tbody tr .run-id a").First;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync("/runs");
            await firstRow.WaitForAsync(new() { Timeout = 60_000 });
            firstRows.Add(clock.Elapsed.TotalMilliseconds);
            var total = await page.Locator(".live-note").InnerTextAsync();

            var before = await firstRow.InnerTextAsync();
            clock.Restart();
            await page.Locator(".runs-grid th", new() { HasText = "Records/s" }).Locator(".sortable-column-header").ClickAsync();
            await page.WaitForFunctionAsync("before => document.querySelector('.runs-grid tbody tr .run-id a')?.textContent !== before", before, new() { Timeout = 60_000 });
            sorts.Add(clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            await page.Locator("input#runs-id").FillAsync($"-{round}a");
            await page.WaitForFunctionAsync("round => [...document.querySelectorAll('.runs-grid tbody tr .run-id a')].every(a => a.title.includes(`-${round}a`)) && document.querySelectorAll('.runs-grid tbody tr .run-id a').length > 0",
                round, new() { Timeout = 60_000 });
            filters.Add(clock.Elapsed.TotalMilliseconds);
            if (round == 0)
            {
                Console.WriteLine($"the page says: {total}");
            }
        }
        static string Figures(List<double> values) => $"median {values.Order().ElementAt(values.Count / 2):F0} ms (each: {string.Join(", ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})";
        Console.WriteLine($"open the Runs page to its first rows: {Figures(firstRows)}");
        Console.WriteLine($"sort by records/s (server-side) to new first rows: {Figures(sorts)}");
        Console.WriteLine($"type a run-id filter to the matching rows (includes the 300 ms typing pause): {Figures(filters)}");
        Console.WriteLine($"console peak RSS {console.MemoryMiB("VmHWM"):F0} MiB");
        return 0;
    }

    /// <summary>Ended runs, one a minute back from now, in the streams and states a busy console has.</summary>
    public static async Task SeedAsync(string database, int count)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO runs (id, source, stream, mode, workers, state, created_at, started_at, ended_at, launched_by, records, records_per_second, attempts, job_kind, quality)
            VALUES ($id, 'stripe', $stream, 'incremental', 8, $state, $created, $created + 1000, $ended, $by, $records, 0, 1, 'local', $quality)
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var stream = command.Parameters.Add("$stream", SqliteType.Text);
        var state = command.Parameters.Add("$state", SqliteType.Text);
        var created = command.Parameters.Add("$created", SqliteType.Integer);
        var ended = command.Parameters.Add("$ended", SqliteType.Integer);
        var by = command.Parameters.Add("$by", SqliteType.Text);
        var records = command.Parameters.Add("$records", SqliteType.Integer);
        var quality = command.Parameters.Add("$quality", SqliteType.Text);
        string[] streams = ["charges", "refunds", "customers"];
        var now = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var at = now - i * 60_000L;
            id.Value = $"run-{DateTimeOffset.FromUnixTimeMilliseconds(at):yyyyMMdd-HHmmss}-{i % 10}{random.Next(0x100000):x5}";
            stream.Value = streams[i % 3];
            state.Value = i % 17 == 0 ? "Failed" : i % 29 == 0 ? "Cancelled" : "Succeeded";
            created.Value = at;
            ended.Value = at + 1000 + random.Next(5_000, 300_000);
            by.Value = i % 5 == 0 ? "admin" : "operator";
            records.Value = random.Next(0, 50_000);
            quality.Value = i % 11 == 0 ? "warned" : "passed";
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}

/// <summary>Debian's Chromium, headless, and a page of the bench console signed in as the viewer, 1280 px wide.</summary>
internal static class BenchBrowser
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium", Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--enable-precise-memory-info"],
    });

    public static async Task<IPage> SignedInPageAsync(IBrowser browser, BenchConsole console)
    {
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } })).NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("User name").FillAsync("viewer");
        await page.GetByLabel("Password").FillAsync(BenchConsole.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }
}

/// <summary>
/// The read API at scale: runs and audit entries written straight into the console's database (as years of use would
/// leave them) and a read-scoped API key, then each URL under autocannon in turn, the first page and a deep one.
/// </summary>
internal static class ApiBench
{
    public static async Task<int> RunAsync(int runs, int audit, int seconds, int connections)
    {
        await using var console = await BenchConsole.StartAsync(1, 1);
        var database = Path.Combine(console.Data, "opsconsole.db");
        var seeding = Stopwatch.StartNew();
        await RunsPageBench.SeedAsync(database, runs);
        await SeedAuditAsync(database, audit);
        var key = await SeedKeyAsync(database);
        Console.WriteLine($"{runs:N0} runs and {audit:N0} audit entries written to the store in {seeding.Elapsed.TotalSeconds:F1} s; " +
            $"{connections} connections for {seconds} s a URL; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        using var client = new HttpClient { BaseAddress = new Uri(console.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var middleRun = await MiddleRunAsync(client, runs);
        var urls = new List<(string Name, string Path)>
        {
            ("runs, newest 50", "/api/runs?limit=50"),
            ("runs, 50 after the middle run (keyset)", $"/api/runs?limit=50&before={middleRun}"),
            ("runs page as the UI asks (sorted, counted)", "/api/runs/page?limit=25"),
            ("runs page at offset runs/2", $"/api/runs/page?limit=25&offset={runs / 2}"),
            ("audit, newest 50", "/api/audit?limit=50"),
            ("audit, 50 before the middle entry (keyset)", $"/api/audit?limit=50&before={audit / 2}"),
        };
        var tools = Path.Combine(BenchConsole.FindRoot(), "tests", "tools");
        var peakRss = 0.0;
        // BENCH_URLS=1,3 loads only those URLs (1-based), for a quicker comparison.
        var only = (Environment.GetEnvironmentVariable("BENCH_URLS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
        foreach (var (name, path) in urls.Where((_, i) => only.Count == 0 || only.Contains(i + 1)))
        {
            var probe = await client.GetAsync(path);
            if (!probe.IsSuccessStatusCode)
            {
                Console.WriteLine($"{name}: {path} answers {(int)probe.StatusCode}, skipped");
                continue;
            }
            var cpuBefore = console.CpuSeconds();
            using var load = Process.Start(new ProcessStartInfo("node", [Path.Combine(tools, "api-load.mjs"), console.BaseUrl.TrimEnd('/') + path,
                seconds.ToString(CultureInfo.InvariantCulture), connections.ToString(CultureInfo.InvariantCulture), $"Bearer {key}"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = load.StandardOutput.ReadToEndAsync();
            var errors = load.StandardError.ReadToEndAsync();
            while (!load.HasExited)
            {
                peakRss = Math.Max(peakRss, console.MemoryMiB("VmRSS"));
                await Task.Delay(250);
            }
            await load.WaitForExitAsync();
            if (load.ExitCode != 0)
            {
                throw new InvalidOperationException($"api-load.mjs failed: {await errors}");
            }
            var result = JsonDocument.Parse(await output).RootElement;
            var cpu = console.CpuSeconds() - cpuBefore;
            Console.WriteLine($"{name} ({path}): {result.GetProperty("perSecond").GetDouble():F0} requests/s, " +
                $"p50 {result.GetProperty("p50").GetDouble():F1} ms, p95 {result.GetProperty("p95").GetDouble():F1} ms, p99 {result.GetProperty("p99").GetDouble():F1} ms, " +
                $"max {result.GetProperty("max").GetDouble():F0} ms; {result.GetProperty("non2xx").GetInt32()} non-2xx, {result.GetProperty("errors").GetInt32()} errors; " +
                $"console {cpu / seconds * 100:F0}% of one core");
        }
        Console.WriteLine($"console peak RSS {Math.Max(peakRss, console.MemoryMiB("VmHWM")):F0} MiB");
        return 0;
    }

    /// <summary>The id of the run in the middle of the list, newest first.</summary>
    private static async Task<string> MiddleRunAsync(HttpClient client, int runs)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/runs/page?limit=1&offset={runs / 2}");
        return page.GetProperty("runs")[0].GetProperty("id").GetString()!;
    }

    /// <summary>Audit entries of the kinds a busy console writes, one every 30 s back from now.</summary>
    private static async Task SeedAuditAsync(string database, int count)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit (at, actor, action, target, stream, before, after, reason, outcome)
            VALUES ($at, $actor, $action, $target, $stream, NULL, $after, NULL, 'ok')
            """;
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        var actor = command.Parameters.Add("$actor", SqliteType.Text);
        var action = command.Parameters.Add("$action", SqliteType.Text);
        var target = command.Parameters.Add("$target", SqliteType.Text);
        var stream = command.Parameters.Add("$stream", SqliteType.Text);
        var after = command.Parameters.Add("$after", SqliteType.Text);
        string[] actions = ["run.launch", "run.launch", "run.cancel", "checkpoint.reset", "api_key.create", "sign_in"];
        string[] streams = ["stripe/charges", "stripe/refunds", "stripe/customers"];
        var start = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds() - count * 30_000L;
        for (var i = 0; i < count; i++)
        {
            at.Value = start + i * 30_000L;
            actor.Value = i % 5 == 0 ? "admin" : "operator";
            action.Value = actions[i % actions.Length];
            target.Value = $"run-{i:D8}";
            stream.Value = streams[i % 3];
            after.Value = $$"""{"mode":"incremental","workers":8,"n":{{i}}}""";
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    /// <summary>A read-scoped API key of the viewer, as the console stores one (only its SHA-256).</summary>
    private static async Task<string> SeedKeyAsync(string database)
    {
        var secret = "opsk_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, owner, name, prefix, secret_hash, created_at, scope)
            VALUES ('bench-key', 'viewer', 'api bench', $prefix, $hash, $now, 'Read')
            """;
        command.Parameters.AddWithValue("$prefix", secret[..12]);
        command.Parameters.AddWithValue("$hash", System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync();
        return secret;
    }
}

namespace OpsConsole.Bench.LogStream.Wire
{
    /// <summary>What the hub streams, as a client reads it (the names are the wire's in both protocols).</summary>
    [System.Runtime.Serialization.DataContract]
    public sealed class WireBatch
    {
        [System.Runtime.Serialization.DataMember(Name = "lines")]
        public List<WireLine> Lines { get; set; } = [];

        [System.Runtime.Serialization.DataMember(Name = "gapFrom")]
        public long? GapFrom { get; set; }

        [System.Runtime.Serialization.DataMember(Name = "gapTo")]
        public long? GapTo { get; set; }

        [System.Runtime.Serialization.DataMember(Name = "done")]
        public bool Done { get; set; }
    }

    [System.Runtime.Serialization.DataContract]
    public sealed class WireLine
    {
        [System.Runtime.Serialization.DataMember(Name = "seq")]
        public long Seq { get; set; }

        [System.Runtime.Serialization.DataMember(Name = "text")]
        public string Text { get; set; } = "";
    }
}
