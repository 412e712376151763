using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

// A legitimate API caller during a flood of sign-in guesses. Against a running console: first a quiet minute's worth of
// legitimate GET /api/runs (HTTP Basic with a real user, one request at a time), then the same while ATTACKS requests
// with an unknown user (HTTP Basic, CONCURRENCY at a time) hit /api/runs. Prints each phase's latency percentiles and
// how the guesses were answered.
// usage: dotnet run -c Release --project bench/AuthBench -- URL USER PASSWORD [attacks=400] [concurrency=20]
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: AuthBench URL USER PASSWORD [attacks=400] [concurrency=20]");
    return 2;
}
var server = new Uri(args[0]);
var attacks = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 400;
var concurrency = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20;
using var legitimate = Client(server, args[1], args[2]);
using var attacker = Client(server, "nobody", "guess");
(await legitimate.GetAsync(new Uri("/api/runs", UriKind.Relative))).EnsureSuccessStatusCode(); // verified once, as a script's first call

var quiet = await MeasureAsync(legitimate, () => false, 200);
var answers = new Dictionary<HttpStatusCode, int>();
var sent = 0;
var done = 0;
var clock = Stopwatch.StartNew();
var flood = Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (Interlocked.Increment(ref sent) <= attacks)
    {
        using var response = await attacker.GetAsync(new Uri("/api/runs", UriKind.Relative));
        lock (answers)
        {
            answers[response.StatusCode] = answers.GetValueOrDefault(response.StatusCode) + 1;
        }
        Interlocked.Increment(ref done);
    }
}));
var attacked = await MeasureAsync(legitimate, () => Volatile.Read(ref done) < attacks, int.MaxValue);
await flood;
var floodSeconds = clock.Elapsed.TotalSeconds;

Console.WriteLine($"{server}: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"legitimate GET /api/runs, quiet: {Describe(quiet)}");
Console.WriteLine($"legitimate GET /api/runs during {attacks} unknown-user Basic requests at {concurrency} concurrent ({floodSeconds:0.0} s): {Describe(attacked)}");
Console.WriteLine($"the guesses were answered: {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{(int)a.Key} x {a.Value}"))}");
return 0;

static HttpClient Client(Uri server, string user, string password)
{
    var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = server };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    return client;
}

static async Task<List<double>> MeasureAsync(HttpClient client, Func<bool> going, int count)
{
    var times = new List<double>();
    for (var i = 0; i < count && (count != int.MaxValue || going()); i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri("/api/runs", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    return times;
}

static string Describe(List<double> times)
{
    if (times.Count == 0)
    {
        return "no request completed";
    }
    times.Sort();
    double At(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
    return $"{times.Count} requests, p50 {At(0.5):0.0} ms, p95 {At(0.95):0.0} ms, p99 {At(0.99):0.0} ms, max {times[^1]:0.0} ms";
}
