using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.SparkJobs.Sources.Stripe;

// Extraction throughput against Stripe's live limits: the Sandbox at 100 requests/s per key, 100 records a page,
// 300 +- 100 ms latency; the job's client with one shared rate gate and N workers over created slices.
// The bar (DESIGN.md section 9): at least 95% of the 10,000 records/s ceiling, sustained.
// usage: dotnet run -c Release --project bench/SourceBench -- [seconds=60] [workers=48] [charges=1500000]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 48;
var charges = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_500_000;

var options = new SandboxOptions
{
    Charges = charges,
    Days = 365,
    StartTime = 1_790_000_000,
    ArrivalsPerSecond = 0,
    UpdatesPerSecond = 0,
    LiveRatePerSecond = 100,
    LatencyMs = 300,
    JitterMs = 100,
};
await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));

using var client = new StripeClient(new StripeClientOptions
{
    BaseAddress = sandbox.BaseAddress,
    Credentials = StripeCredentials.Key("sk_live_sandbox"),
});

// One-day slices over the year (about 4,100 charges, 42 pages each: only the last page of a slice is not full),
// newest first, handed to workers from a queue.
const long slice = 86_400;
var end = options.StartTime;
var slices = new ConcurrentQueue<long>(Enumerable.Range(1, 365).Select(d => end - (d * slice)));
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var watch = Stopwatch.StartNew();
var perSecond = new List<long>();
var sampler = Task.Run(async () =>
{
    long last = 0;
    while (!stop.IsCancellationRequested)
    {
        await Task.Delay(1000);
        var now = client.Stats.Records;
        if (stop.IsCancellationRequested)
        {
            break; // the workers stopped during this second: not a full second of fetching
        }
        perSecond.Add(now - last);
        last = now;
    }
});

await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
{
    try
    {
        while (!stop.IsCancellationRequested && slices.TryDequeue(out var from))
        {
            await foreach (var page in client.ListAsync(StripeStream.Charges, from, from + slice, stop.Token))
            {
                page.Dispose();
            }
        }
    }
    catch (OperationCanceledException)
    {
    }
}));
var elapsed = watch.Elapsed.TotalSeconds;
await sampler;
var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

// Skip the first 5 seconds (the connection pool and the gate's ramp) for the sustained figure.
var steady = perSecond.Skip(5).ToList();
Console.WriteLine($"{workers} workers, {elapsed:N0} s: {client.Stats.Records:N0} records in {client.Stats.Requests:N0} requests");
Console.WriteLine($"overall: {client.Stats.Records / elapsed:N0} records/s; sustained (after 5 s): {steady.Average():N0} records/s, slowest second {steady.Min():N0}");
Console.WriteLine($"share of the 10,000 records/s ceiling: {steady.Average() / 100:N1}%");
Console.WriteLine($"429s: {client.Stats.RateLimited}, retries: {client.Stats.Retries}, CPU: {used:N1} s for client and Sandbox together");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
