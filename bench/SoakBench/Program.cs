using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

// Soak: the console (Release build, a process of its own with its embedded Sandbox and the local runner) launches a
// run every `interval` seconds for `minutes`, streams in turn, each followed live by `viewers` SignalR clients (.NET,
// in this process). Every 30 s it samples the console's RSS, open file descriptors and threads. At the end: every run
// has ended and none is left active (reconciled), and each viewer received every line of its run exactly once, in
// order (compared with the run's whole log over REST). Prints the figures; exit 1 when a run or a line went missing.
// usage: dotnet run -c Release --project bench/SoakBench -- [minutes=30] [interval=10] [viewers=5]   (build Console.Server -c Release first)
var minutes = Arg(0, 30);
var interval = Arg(1, 10);
var viewers = Arg(2, 5);
var dll = Path.Combine(Root(), "Console.Server", "bin", "Release", "net10.0", "OpsConsole.Server.dll");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"{dll} is missing: dotnet build Console.Server -c Release");
    return 2;
}
using var console = await SoakConsole.StartAsync(dll);
Console.WriteLine($"soak: {minutes} min, a run every {interval} s, {viewers} viewers each; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
var samples = new List<(double Minute, long RssKiB, int Fds, int Threads)>();
var runs = new List<Task<RunOutcome>>();
var busy = 0;
var streams = new[] { "charges", "customers", "refunds" };
var clock = Stopwatch.StartNew();
var nextSample = TimeSpan.Zero;
for (var i = 0; clock.Elapsed < TimeSpan.FromMinutes(minutes); i++)
{
    if (clock.Elapsed >= nextSample)
    {
        var (rss, fds, threads) = console.Sample();
        samples.Add((clock.Elapsed.TotalMinutes, rss, fds, threads));
        var last = samples[^1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{last.Minute,5:0.0} min: RSS {last.RssKiB / 1024.0:0.0} MiB, fds {last.Fds}, threads {last.Threads}, runs {runs.Count}, busy {busy}"));
        nextSample += TimeSpan.FromSeconds(30);
    }
    var launched = await console.LaunchAsync(streams[i % streams.Length]);
    if (launched is null)
    {
        busy++;
    }
    else
    {
        runs.Add(Follow(console, launched, viewers));
    }
    var due = TimeSpan.FromSeconds(interval * (i + 1.0));
    if (due > clock.Elapsed)
    {
        await Task.Delay(due - clock.Elapsed);
    }
}
var outcomes = await Task.WhenAll(runs);
await Task.Delay(TimeSpan.FromSeconds(5));
var (endRss, endFds, endThreads) = console.Sample();
samples.Add((clock.Elapsed.TotalMinutes, endRss, endFds, endThreads));
var active = await console.ActiveRunsAsync();

Console.WriteLine();
Console.WriteLine($"runs launched {outcomes.Length} (refused while the stream was busy: {busy}); " +
                  string.Join(", ", outcomes.GroupBy(o => o.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")) +
                  $"; active after the end: {active}");
Console.WriteLine($"log lines: {outcomes.Sum(o => o.Lines):N0} in the runs' logs, delivered to {outcomes.Length * viewers} viewers: " +
                  $"missing {outcomes.Sum(o => o.Missing):N0}, duplicated {outcomes.Sum(o => o.Duplicates):N0}, out of order {outcomes.Sum(o => o.Disordered)}, viewer errors {outcomes.Sum(o => o.Errors)}");
var warm = samples.Where(s => s.Minute >= Math.Min(5, minutes / 3.0)).ToList();
Report("RSS (MiB)", warm.Select(s => s.RssKiB / 1024.0).ToList(), warm);
Report("open fds", warm.Select(s => (double)s.Fds).ToList(), warm);
Report("threads", warm.Select(s => (double)s.Threads).ToList(), warm);
return outcomes.All(o => o.State == "Succeeded" && o.Missing == 0 && o.Duplicates == 0 && o.Errors == 0) && active == 0 ? 0 : 1;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static void Report(string what, List<double> values, List<(double Minute, long RssKiB, int Fds, int Threads)> warm)
{
    if (values.Count < 2)
    {
        return;
    }
    // Least-squares slope over the samples after warm-up, per 10 minutes.
    var xs = warm.Select(s => s.Minute).ToList();
    var (mx, my) = (xs.Average(), values.Average());
    var slope = xs.Zip(values).Sum(p => (p.First - mx) * (p.Second - my)) / xs.Sum(x => (x - mx) * (x - mx));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what} after warm-up (from {xs[0]:0.0} min, {values.Count} samples): first {values[0]:0.#}, min {values.Min():0.#}, max {values.Max():0.#}, last {values[^1]:0.#}, trend {slope * 10:+0.##;-0.##;0} per 10 min"));
}

static async Task<RunOutcome> Follow(SoakConsole console, string runId, int viewers)
{
    var followers = Enumerable.Range(0, viewers).Select(_ => console.FollowAsync(runId)).ToList();
    var received = await Task.WhenAll(followers);
    var state = await console.WaitForEndAsync(runId);
    var all = await console.AllSeqsAsync(runId);
    int missing = 0, duplicates = 0, disordered = 0, errors = 0;
    foreach (var (seqs, error) in received)
    {
        errors += error ? 1 : 0;
        var unique = seqs.ToHashSet();
        duplicates += seqs.Count - unique.Count;
        missing += all.Count(s => !unique.Contains(s));
        disordered += seqs.Zip(seqs.Skip(1)).Count(p => p.Second <= p.First);
    }
    return new RunOutcome(runId, state, all.Count, missing, duplicates, disordered, errors);
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

internal sealed record RunOutcome(string Id, string State, int Lines, int Missing, int Duplicates, int Disordered, int Errors);

/// <summary>The console as a process of its own, an operator's client, and its process figures from /proc.</summary>
internal sealed class SoakConsole : IDisposable
{
    private const string Password = "soak-bench-password";
    private readonly Process _process;
    private readonly HttpClient _client;
    private readonly string _data;
    private readonly string _baseUrl;

    private SoakConsole(Process process, HttpClient client, string data, string baseUrl) => (_process, _client, _data, _baseUrl) = (process, client, data, baseUrl);

    public static async Task<SoakConsole> StartAsync(string dll)
    {
        var data = Directory.CreateTempSubdirectory("opsconsole-soak-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[dll, "--urls", $"http://127.0.0.1:{port}", "--Sandbox:Url", "http://127.0.0.1:0", "--Sandbox:Charges", "3000",
                     "--Sandbox:Customers", "600", "--Sandbox:LatencyMs", "0", "--Sandbox:JitterMs", "0", "--Logging:LogLevel:Default", "Warning"])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OPSCONSOLE_DATA"] = data;
        start.Environment["OPSCONSOLE_OPERATOR_PASSWORD"] = Password;
        start.Environment["OPSCONSOLE_VIEWER_PASSWORD"] = Password;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                Console.Error.WriteLine($"console: {text}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var baseUrl = $"http://127.0.0.1:{port}";
        var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        client.DefaultRequestHeaders.Authorization = Basic("operator");
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
        return new SoakConsole(process, client, data, baseUrl);
    }

    /// <summary>The new run's id, or null when the stream still has an active run (409).</summary>
    public async Task<string?> LaunchAsync(string stream)
    {
        using var response = await _client.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { stream, workers = 2 });
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
    }

    /// <summary>A viewer: follows the run's log over the hub until it is done, filling gaps over REST; the sequence numbers it got.</summary>
    public async Task<(List<long> Seqs, bool Error)> FollowAsync(string runId)
    {
        var seqs = new List<long>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"{_baseUrl}/hubs/logs", options => options.Headers["Authorization"] = Basic("viewer").ToString())
            .Build();
        try
        {
            await connection.StartAsync();
            await foreach (var batch in connection.StreamAsync<JsonElement>("Stream", runId, 0L))
            {
                if (batch.TryGetProperty("gapFrom", out var from) && from.ValueKind == JsonValueKind.Number)
                {
                    seqs.AddRange(await RangeAsync(runId, from.GetInt64(), batch.GetProperty("gapTo").GetInt64()));
                }
                seqs.AddRange(batch.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("seq").GetInt64()));
                if (batch.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                {
                    return (seqs, true);
                }
                if (batch.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True)
                {
                    break;
                }
            }
            return (seqs, false);
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"viewer of {runId}: {exception.Message}");
            return (seqs, true);
        }
    }

    public async Task<string> WaitForEndAsync(string runId)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(5); ; await Task.Delay(500))
        {
            var state = (await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{runId}", UriKind.Relative))).GetProperty("state").GetString()!;
            if (state is "Succeeded" or "Failed" or "Cancelled" || DateTime.UtcNow > deadline)
            {
                return state;
            }
        }
    }

    /// <summary>Every sequence number of the run's whole log, over REST.</summary>
    public Task<List<long>> AllSeqsAsync(string runId) => RangeAsync(runId, 1, long.MaxValue);

    public async Task<int> ActiveRunsAsync()
    {
        var runs = await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/runs?limit=5000", UriKind.Relative));
        return runs.EnumerateArray().Count(r => r.GetProperty("state").GetString() is "Pending" or "Starting" or "Running" or "Cancelling");
    }

    /// <summary>RSS (KiB), open file descriptors and threads of the console's process.</summary>
    public (long RssKiB, int Fds, int Threads) Sample()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        long Field(string name) => long.Parse(status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (Field("VmRSS"), Directory.GetFiles($"/proc/{_process.Id}/fd").Length, (int)Field("Threads"));
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        _client.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<List<long>> RangeAsync(string runId, long from, long to)
    {
        var seqs = new List<long>();
        for (var after = from - 1; after < to;)
        {
            var page = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{runId}/logs?after={after}&limit=5000", UriKind.Relative));
            var lines = page.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("seq").GetInt64()).Where(s => s <= to).ToList();
            seqs.AddRange(lines);
            if (lines.Count == 0)
            {
                break;
            }
            after = lines[^1];
        }
        return seqs;
    }

    private static AuthenticationHeaderValue Basic(string user) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Password}")));

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
