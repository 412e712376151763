using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using OpsConsole.Sandbox.Hosting;

// Measures the Sandbox: how long a data set takes to generate, what it costs in memory, and how many list
// requests a second it serves with rate limits and latency off.
// usage: dotnet run -c Release --project bench/SandboxBench -- [charges=1000000] [seconds=10] [clients=16]
var charges = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var clients = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;

var options = new SandboxOptions
{
    Charges = charges,
    ArrivalsPerSecond = 0,
    UpdatesPerSecond = 0,
    LatencyMs = 0,
    JitterMs = 0,
    LiveRatePerSecond = 0,
    TestRatePerSecond = 0,
};

var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
var watch = Stopwatch.StartNew();
await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
var startup = watch.Elapsed;
var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
var (chargeCount, customers, refunds, events, rowBytes) = sandbox.World.Size();
Console.WriteLine($"data: {chargeCount:N0} charges, {customers:N0} customers, {refunds:N0} refunds, {events:N0} events");
Console.WriteLine($"startup (generate + listen): {startup.TotalMilliseconds:N0} ms");
Console.WriteLine($"managed heap growth: {(heapAfter - heapBefore) / 1048576.0:N1} MiB = {(double)(heapAfter - heapBefore) / chargeCount:N1} bytes per charge (all objects and events included)");
Console.WriteLine($"row arrays: {rowBytes / 1048576.0:N1} MiB; process working set: {Environment.WorkingSet / 1048576.0:N0} MiB");

// Cursors spread over the whole data set, so pages come from everywhere, as parallel slices would.
var ids = sandbox.World.Ids;
var cursors = Enumerable.Range(0, 4096).Select(i => ids.Charge.Encode((int)((long)i * chargeCount / 4096))).ToArray();
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
using var http = new HttpClient(handler) { BaseAddress = sandbox.BaseAddress };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_live_sandbox");

long requests = 0, bytes = 0, failures = 0;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
watch.Restart();
await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
{
    var i = client;
    while (!stop.IsCancellationRequested)
    {
        var cursor = cursors[i++ % cursors.Length];
        using var response = await http.GetAsync(new Uri($"/v1/charges?limit=100&starting_after={cursor}", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        Interlocked.Increment(ref requests);
        Interlocked.Add(ref bytes, body.Length);
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref failures);
        }
    }
}));
var elapsed = watch.Elapsed.TotalSeconds;
Console.WriteLine($"list of 100 charges, {clients} clients, {seconds} s: {requests / elapsed:N0} requests/s = {requests * 100 / elapsed:N0} records/s, {bytes / elapsed / 1048576.0:N1} MiB/s, {failures} failures");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; the client runs in the same process and shares the cores");
