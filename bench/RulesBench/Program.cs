using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.SparkJobs.Transform;

// What each built-in charges rule costs per record, in this process: the Sandbox's charges are fetched once into
// memory and turned into rows, then each rule alone (and all of them together) sees every row; the figure is the
// best of three passes. It says which rules the merge's pass pays for; bench/IngestBench rules measures the whole job.
// usage: dotnet run -c Release --project bench/RulesBench -- [charges=100000] [rules.yaml]
//   (a rules file instead of the built-in charges rules: bench/RulesBench/formats.yaml has the format and privacy rules,
//   bench/RulesBench/breadth.yaml the types added to reach 64)
var charges = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var rulesFile = args.Length > 1 ? args[1] : null;
await using var sandbox = await SandboxApp.StartAsync(new SandboxOptions
{
    Charges = charges, Days = 365, StartTime = 1_790_000_000, ManualClock = true, ArrivalsPerSecond = 0, UpdatesPerSecond = 0,
    LiveRatePerSecond = 0, TestRatePerSecond = 0, LatencyMs = 0, JitterMs = 0,
}, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
using var client = new StripeClient(new StripeClientOptions
{
    BaseAddress = sandbox.BaseAddress, Credentials = StripeCredentials.Key("sk_live_sandbox"), RequestsPerSecond = 1_000_000,
});
var records = new List<JsonElement>();
await foreach (var page in client.ListAsync(StripeStream.Charges, null, null, CancellationToken.None))
{
    using (page)
    {
        records.AddRange(page.Data.EnumerateArray().Select(r => r.Clone()));
    }
}
var schema = StreamSchema.Charges;
var transformer = new RecordTransformer(schema, "bench", DateTimeOffset.UnixEpoch);
var rows = records.Select(r => transformer.TryTransform(r, out var row, out var unknown) ? (row, unknown) : ((object?[] Row, IReadOnlyList<string>? Unknown)?)null).ToList();
var config = rulesFile is null ? QualityConfig.Defaults(schema) : QualityConfig.Parse(await File.ReadAllTextAsync(rulesFile), rulesFile, schema);
var id = schema.IndexOf("id");

double NanosecondsPerRecord(Func<IReadOnlyList<Rule>> rules)
{
    var best = double.MaxValue;
    for (var pass = 0; pass < 3; pass++)
    {
        var evaluator = new QualityEvaluator(rules(), id);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is var (row, unknown))
            {
                evaluator.Observe(row, records[i], unknown);
            }
        }
        best = Math.Min(best, watch.Elapsed.TotalNanoseconds / rows.Count);
    }
    return best;
}

Console.WriteLine($"{rows.Count:N0} charges in memory; {Environment.ProcessorCount} cores, .NET {Environment.Version}; best of 3 passes, ns per record");
var results = config.Rules.Select((header, index) => (header.Name, Ns: NanosecondsPerRecord(() => [config.Build([])[index]]))).OrderByDescending(r => r.Ns).ToList();
foreach (var (name, ns) in results)
{
    Console.WriteLine($"{ns,10:N0}  {name}");
}
Console.WriteLine($"{NanosecondsPerRecord(() => config.Build([])),10:N0}  all {config.Rules.Count} rules together");
