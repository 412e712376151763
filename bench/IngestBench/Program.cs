using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpsConsole.Sandbox.Hosting;

// The job end to end with the source's limits off, against a baseline that only fetches the same pages and parses
// them with System.Text.Json, plus the job's peak memory. The Sandbox runs in this process; the job and the
// baseline each run as a child process under GNU time, so their CPU seconds and peak RSS are theirs alone (the
// Sandbox still shares the machine's cores with them).
// usage: dotnet run -c Release --project bench/IngestBench -- [charges=1000000] [workers=8]
//        dotnet run -c Release --project bench/IngestBench -- live [charges=700000] [workers=48]
//   (live: the Sandbox at Stripe's live limits, 100 requests/s, 300 +- 100 ms; the job's sustained records/s from
//   its own progress lines while more slices are left than workers, which must last at least 60 s; the bar is
//   9,500 of the 10,000 possible; the whole fetch including the final drain is printed beside it)
//        dotnet run -c Release --project bench/IngestBench -- rules [charges=300000] [workers=8] [rounds=3]
//   (rules: the job at full speed with its built-in data-quality rules and with --rules none, alternating, a fresh
//   lake each run; the median records/s of each and how much slower the rules make it; the bar is at most 15%)
//        dotnet run -c Release --project bench/IngestBench -- stores [charges=300000] [workers=8] [rounds=2]
//        dotnet run -c Release --project bench/IngestBench -- stores-live [charges=700000] [workers=48]
//   (stores: the same job with the lake in a folder and the state in SQLite, then with the lake on S3 (s3rver) and
//   the state in DynamoDB (dynalite), alternating, each on fresh stores; records/s, CPU and peak RSS of each and the
//   ratio. stores-live: the live measurement above once on each pair. Both need `npm ci` in tests/tools.)
//        dotnet run -c Release --project bench/IngestBench -- executors [charges=300000] [workers=8] [rounds=2]
//   (executors: the same run as one process, and as a driver (ingest --executors 3) with three execute processes
//   sharing the workers, alternating, limits off, each on a fresh folder and SQLite file; wall time and records/s
//   of each, and CPU seconds summed over its processes)
//        dotnet run -c Release --project bench/IngestBench -- executors-live [charges=200000] [workers=48]
//   (executors-live: the Sandbox at Stripe's live limits, the driver and three executors, each executor with 1/3 of
//   the workers and of the key's 100 requests/s; records/s over the whole run and the 429s the executors got)
//        dotnet run -c Release --project bench/IngestBench -- suggest [charges=1000000] [workers=8]
//   (suggest: the job ingests the charges at full speed into a fresh lake, then `rules suggest` profiles the table;
//   its wall time, CPU seconds and peak RSS, and how many rules it suggested)
// (the child mode `baseline <api> <from> <to> <slice> <workers>` is what this program runs as the baseline)
// BENCH_TRACE=FILE runs the job under dotnet-trace (dotnet tool install -g dotnet-trace), for its profile; `dotnet-trace
// report FILE topN` prints the top frames.
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
if (args.Length > 0 && args[0] == "stores")
{
    return await Stores(Arg(1, 300_000), Arg(2, 8), Arg(3, 2));
}
if (args.Length > 0 && args[0] == "stores-live")
{
    using var aws = new OpsConsole.Bench.LocalAws();
    var (lake, state) = await InitAwsAsync(aws, "live");
    var local = await Live(Arg(1, 700_000), Arg(2, 48), null, null, "folder + SQLite");
    var remote = await Live(Arg(1, 700_000), Arg(2, 48), lake, state, "s3rver + dynalite");
    return local + remote;
}
if (args.Length > 0 && args[0] == "executors-live")
{
    return await ExecutorsLive(Arg(1, 200_000), Arg(2, 48));
}
if (args.Length > 0 && args[0] == "executors")
{
    return await Executors(Arg(1, 300_000), Arg(2, 8), Arg(3, 2));
}
if (args.Length > 0 && args[0] == "rules")
{
    return await Rules(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3);
}
if (args.Length > 0 && args[0] == "suggest")
{
    return await Suggest(Arg(1, 1_000_000), Arg(2, 8));
}
if (args.Length > 0 && args[0] == "live")
{
    return await Live(Arg(1, 700_000), Arg(2, 48), null, null, "folder + SQLite");
}
if (args.Length > 0 && args[0] == "baseline")
{
    return await Baseline(new Uri(args[1]), long.Parse(args[2], CultureInfo.InvariantCulture), long.Parse(args[3], CultureInfo.InvariantCulture),
        long.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
}

var charges = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
const long SliceSeconds = 86_400;
var options = FullSpeed(charges);
await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
var folder = Directory.CreateTempSubdirectory("opsconsole-ingest-bench-").FullName;
var from = options.StartTime - (366 * 86_400);
var to = options.StartTime;
try
{
    var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
    var jobRun = await Measure(["dotnet", job, "ingest", "--stream", "charges", "--run-id", "bench-1", "--api-base", sandbox.BaseAddress.ToString(),
        "--lake", Path.Combine(folder, "lake"), "--state", Path.Combine(folder, "state.db"), "--from", $"{from}", "--to", $"{to}",
        "--workers", $"{workers}", "--requests-per-second", "1000000", "--slice-seconds", $"{SliceSeconds}"], folder);
    var summary = jobRun.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
        .LastOrDefault(l => l.GetProperty("event").GetString() == "summary");
    if (jobRun.ExitCode != 0 || summary.ValueKind == JsonValueKind.Undefined)
    {
        Console.Error.WriteLine($"the job failed (exit {jobRun.ExitCode}):\n{jobRun.Output[^Math.Min(jobRun.Output.Length, 4000)..]}");
        return 1;
    }
    var records = summary.GetProperty("records").GetInt64();

    var baselineRun = await Measure(["dotnet", Path.Combine(AppContext.BaseDirectory, "OpsConsole.Bench.Ingest.dll"), "baseline",
        sandbox.BaseAddress.ToString(), $"{from}", $"{to}", $"{SliceSeconds}", $"{workers}"], folder);
    var baseline = JsonDocument.Parse(baselineRun.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;

    var jobRate = records / jobRun.Seconds;
    var baselineRate = baseline.GetProperty("records").GetInt64() / baselineRun.Seconds;
    var parseRate = baseline.GetProperty("records").GetInt64() / baseline.GetProperty("parse_seconds").GetDouble();
    Console.WriteLine($"{records:N0} charges, {workers} workers, limits and latency off; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
    Console.WriteLine($"job (fetch, stage, transform, Parquet, commit): {jobRun.Seconds:N1} s wall, {jobRun.CpuSeconds:N1} CPU s -> " +
                      $"{jobRate:N0} records/s, {records / jobRun.CpuSeconds:N0} records per CPU-second, peak RSS {jobRun.PeakRssMiB:N0} MiB");
    Console.WriteLine($"baseline (fetch the same pages, parse with System.Text.Json): {baselineRun.Seconds:N1} s wall, {baselineRun.CpuSeconds:N1} CPU s -> " +
                      $"{baselineRate:N0} records/s, {baseline.GetProperty("records").GetInt64() / baselineRun.CpuSeconds:N0} records per CPU-second");
    Console.WriteLine($"parse only (the baseline's bodies, in memory): {parseRate:N0} records/s");
    Console.WriteLine($"job / baseline: {jobRate / baselineRate:P0} of the records/s, {records / jobRun.CpuSeconds / (baseline.GetProperty("records").GetInt64() / baselineRun.CpuSeconds):P0} of the records per CPU-second");
    return 0;
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// A year of charges on a manual clock, with the source's limits, latency and live traffic off.
// Stripe's live limits: 100 requests/s, 300 +- 100 ms a request; 70 days of charges.
static SandboxOptions LiveLimits(int charges) => new()
{
    Charges = charges, Days = 70, StartTime = 1_790_000_000, ManualClock = true, ArrivalsPerSecond = 0, UpdatesPerSecond = 0,
    LiveRatePerSecond = 100, LatencyMs = 300, JitterMs = 100,
};

static SandboxOptions FullSpeed(int charges) => new()
{
    Charges = charges, Days = 365, StartTime = 1_790_000_000, ManualClock = true, ArrivalsPerSecond = 0, UpdatesPerSecond = 0,
    LiveRatePerSecond = 0, TestRatePerSecond = 0, LatencyMs = 0, JitterMs = 0,
};

// The job fills a table, then `rules suggest` profiles it: the profile's time and peak memory on that many rows.
static async Task<int> Suggest(int charges, int workers)
{
    var options = FullSpeed(charges);
    await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    var folder = Directory.CreateTempSubdirectory("opsconsole-suggest-bench-").FullName;
    try
    {
        var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
        var lake = Path.Combine(folder, "lake");
        var ingest = await Measure(["dotnet", job, "ingest", "--stream", "charges", "--run-id", "bench-suggest", "--api-base", sandbox.BaseAddress.ToString(),
            "--lake", lake, "--state", Path.Combine(folder, "state.db"), "--from", $"{options.StartTime - (366 * 86_400)}", "--to", $"{options.StartTime}",
            "--workers", $"{workers}", "--requests-per-second", "1000000", "--slice-seconds", "86400", "--rules", "none"], folder);
        if (ingest.ExitCode != 0)
        {
            Console.Error.WriteLine($"the job failed (exit {ingest.ExitCode}):\n{ingest.Output[^Math.Min(ingest.Output.Length, 4000)..]}");
            return 1;
        }
        var suggest = await Measure(["dotnet", job, "rules", "suggest", "--stream", "charges", "--lake", lake], folder);
        if (suggest.ExitCode != 0)
        {
            Console.Error.WriteLine($"rules suggest failed (exit {suggest.ExitCode})");
            return 1;
        }
        var files = Directory.GetFiles(Path.Combine(lake, "raw", "stripe", "charges"), "*.parquet", SearchOption.AllDirectories);
        var rules = suggest.Output.Split('\n').Count(line => line.StartsWith("  - type: ", StringComparison.Ordinal));
        Console.WriteLine($"{charges:N0} charges in {files.Length} Parquet files ({files.Sum(f => new FileInfo(f).Length) / 1048576.0:N0} MiB); {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"rules suggest: {suggest.Seconds:N1} s wall, {suggest.CpuSeconds:N1} CPU s, peak RSS {suggest.PeakRssMiB:N0} MiB; {rules} rules suggested");
        Console.WriteLine(suggest.Output.Split('\n')[0]);
        return 0;
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

// The job at full speed with and without its data-quality rules.
static async Task<int> Rules(int charges, int workers, int rounds)
{
    var options = FullSpeed(charges);
    await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    var from = options.StartTime - (366 * 86_400);
    var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
    var rates = new Dictionary<string, List<double>> { ["none"] = [], ["default"] = [] };
    var cpu = new Dictionary<string, List<double>> { ["none"] = [], ["default"] = [] };
    var rss = new Dictionary<string, List<double>> { ["none"] = [], ["default"] = [] };
    string? rulesLine = null;
    for (var round = 0; round < rounds; round++)
    {
        foreach (var rules in new[] { "none", "default" })
        {
            var folder = Directory.CreateTempSubdirectory("opsconsole-rules-bench-").FullName;
            try
            {
                string[] command = ["dotnet", job, "ingest", "--stream", "charges", "--run-id", $"bench-{round}", "--api-base", sandbox.BaseAddress.ToString(),
                    "--lake", Path.Combine(folder, "lake"), "--state", Path.Combine(folder, "state.db"), "--from", $"{from}", "--to", $"{options.StartTime}",
                    "--workers", $"{workers}", "--requests-per-second", "1000000"];
                var run = await Measure(rules == "none" ? [.. command, "--rules", "none"] : command, folder);
                var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                var summary = lines.LastOrDefault(l => l.GetProperty("event").GetString() == "summary");
                if (run.ExitCode != 0 || summary.ValueKind == JsonValueKind.Undefined)
                {
                    Console.Error.WriteLine($"the job failed (exit {run.ExitCode}):\n{run.Output[^Math.Min(run.Output.Length, 4000)..]}");
                    return 1;
                }
                var records = summary.GetProperty("records").GetInt64();
                rates[rules].Add(records / run.Seconds);
                cpu[rules].Add(records / run.CpuSeconds);
                rss[rules].Add(run.PeakRssMiB);
                if (rules == "default")
                {
                    rulesLine ??= lines.Single(l => l.GetProperty("event").GetString() == "dq").GetProperty("msg").GetString();
                }
                Console.WriteLine($"round {round + 1}, rules {rules}: {records:N0} records in {run.Seconds:N1} s ({run.CpuSeconds:N1} CPU s, peak RSS {run.PeakRssMiB:N0} MiB) -> {records / run.Seconds:N0} records/s");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    var slower = 1 - (Median(rates["default"]) / Median(rates["none"]));
    Console.WriteLine($"{charges:N0} charges, {workers} workers, limits and latency off; {Environment.ProcessorCount} cores, .NET {Environment.Version}; median of {rounds} runs each");
    Console.WriteLine($"without rules: {Median(rates["none"]):N0} records/s, {Median(cpu["none"]):N0} records per CPU-second, peak RSS {Median(rss["none"]):N0} MiB");
    Console.WriteLine($"with the built-in charges rules: {Median(rates["default"]):N0} records/s, {Median(cpu["default"]):N0} records per CPU-second, peak RSS {Median(rss["default"]):N0} MiB ({rulesLine})");
    Console.WriteLine($"the rules cost {slower:P1} of the records/s and {1 - (Median(cpu["default"]) / Median(cpu["none"])):P1} of the records per CPU-second (bar: at most 15%)");
    return 0;
}

// The job at Stripe's live limits: sustained records/s from its progress lines while it fetches.
static async Task<int> Live(int charges, int workers, string? lake, string? state, string stores)
{
    var options = LiveLimits(charges);
    await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    var folder = Directory.CreateTempSubdirectory("opsconsole-ingest-live-").FullName;
    try
    {
        var run = await Measure(["dotnet", Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll"), "ingest", "--stream", "charges",
            "--run-id", "live-1", "--api-base", sandbox.BaseAddress.ToString(), "--lake", lake ?? Path.Combine(folder, "lake"), "--state", state ?? Path.Combine(folder, "state.db"),
            "--from", $"{options.StartTime - (71 * 86_400)}", "--to", $"{options.StartTime}", "--workers", $"{workers}",
            .. Environment.GetEnvironmentVariable("INGEST_BENCH_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []], folder);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var progress = lines.Where(l => l.GetProperty("event").GetString() == "progress")
            .Select(l => (At: l.GetProperty("ts").GetDateTimeOffset(), Records: l.GetProperty("records").GetInt64(),
                Left: l.GetProperty("slices").GetInt64() - l.GetProperty("slices_done").GetInt64())).ToList();
        var total = progress.Count > 0 ? progress[^1].Records : 0;
        // The fetch: progress lines before the last records arrived, without the first 5 s (connections, the gate's
        // ramp). Steady: while more slices were left than workers; after that the queue drains and workers idle.
        var fetching = progress.Where(p => p.Records < total).Skip(5).ToList();
        var steady = fetching.Where(p => p.Left > workers).ToList();
        if (run.ExitCode != 0 || steady.Count < 61)
        {
            Console.Error.WriteLine($"exit {run.ExitCode}; {steady.Count} steady seconds (at least 61 needed: raise the charges)");
            return 1;
        }
        static double Rate(List<(DateTimeOffset At, long Records, long Left)> span) =>
            (span[^1].Records - span[0].Records) / (span[^1].At - span[0].At).TotalSeconds;
        var rates = fetching.Zip(fetching.Skip(1), (a, b) => (b.Records - a.Records) / (b.At - a.At).TotalSeconds).ToList();
        Console.WriteLine($"{charges:N0} charges at live limits (100 requests/s, 300 +- 100 ms), {workers} workers, {stores}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"job: {run.Seconds:N1} s wall, {run.CpuSeconds:N1} CPU s, peak RSS {run.PeakRssMiB:N0} MiB");
        Console.WriteLine($"steady, over {(steady[^1].At - steady[0].At).TotalSeconds:N0} s: {Rate(steady):N0} records/s ({Rate(steady) / 100:N1}% of the 10,000 ceiling)");
        Console.WriteLine($"whole fetch with the final drain, over {(fetching[^1].At - fetching[0].At).TotalSeconds:N0} s: {Rate(fetching):N0} records/s; " +
                          $"slowest second {rates.Min():N0}, fastest {rates.Max():N0}");
        Console.WriteLine($"each second: {string.Join(' ', rates.Select(r => (r / 1000).ToString("0.0", CultureInfo.InvariantCulture)))} (thousands)");
        return 0;
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

// The job limits-off on folder + SQLite and on s3rver + dynalite, alternating, fresh stores each run.
static async Task<int> Executors(int charges, int workers, int rounds)
{
    var options = FullSpeed(charges);
    await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    var from = options.StartTime - (366 * 86_400);
    var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
    var rates = new Dictionary<int, List<double>> { [1] = [], [3] = [] };
    var cpu = new Dictionary<int, List<double>> { [1] = [], [3] = [] };
    for (var round = 0; round < rounds; round++)
    {
        foreach (var executors in new[] { 1, 3 })
        {
            var folder = Directory.CreateTempSubdirectory("opsconsole-executors-bench-").FullName;
            try
            {
                string[] common = ["--stream", "charges", "--run-id", $"bench-{round}", "--api-base", sandbox.BaseAddress.ToString(),
                    "--lake", Path.Combine(folder, "lake"), "--state", Path.Combine(folder, "state.db"), "--requests-per-second", "1000000"];
                var share = Math.Max(1, workers / executors);
                var processes = new List<Task<(int ExitCode, string Output, double Seconds, double CpuSeconds, double PeakRssMiB)>>
                {
                    Measure(["dotnet", job, "ingest", .. common, "--from", $"{from}", "--to", $"{options.StartTime}", "--workers", $"{workers}", "--executors", $"{executors}"],
                        Directory.CreateDirectory(Path.Combine(folder, "driver")).FullName),
                };
                for (var i = 0; executors > 1 && i < executors; i++)
                {
                    processes.Add(Measure(["dotnet", job, "execute", .. common, "--workers", $"{share}", "--executors", $"{executors}", "--executor", $"{i}"],
                        Directory.CreateDirectory(Path.Combine(folder, $"executor-{i}")).FullName));
                }
                var ended = await Task.WhenAll(processes);
                var driver = ended[0];
                var summary = driver.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                    .LastOrDefault(l => l.GetProperty("event").GetString() == "summary");
                if (ended.Any(e => e.ExitCode != 0) || summary.ValueKind == JsonValueKind.Undefined)
                {
                    Console.Error.WriteLine($"a process failed (exits {string.Join(", ", ended.Select(e => e.ExitCode))}):\n{driver.Output[^Math.Min(driver.Output.Length, 4000)..]}");
                    return 1;
                }
                var records = summary.GetProperty("records").GetInt64();
                var cpuSeconds = ended.Sum(e => e.CpuSeconds);
                rates[executors].Add(records / driver.Seconds);
                cpu[executors].Add(cpuSeconds);
                Console.WriteLine($"round {round + 1}, executors {executors}: {records:N0} records in {driver.Seconds:N1} s, {cpuSeconds:N1} CPU s over {ended.Length} processes -> {records / driver.Seconds:N0} records/s");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    Console.WriteLine($"{charges:N0} charges, {workers} workers in all, limits and latency off; {Environment.ProcessorCount} cores, .NET {Environment.Version}; median of {rounds} runs each");
    Console.WriteLine($"one process: {Median(rates[1]):N0} records/s, {Median(cpu[1]):N1} CPU s");
    Console.WriteLine($"driver + 3 executors: {Median(rates[3]):N0} records/s, {Median(cpu[3]):N1} CPU s ({Median(rates[3]) / Median(rates[1]):N2}x the records/s)");
    return 0;
}

static async Task<int> ExecutorsLive(int charges, int workers)
{
    var options = LiveLimits(charges);
    await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    var folder = Directory.CreateTempSubdirectory("opsconsole-executors-live-").FullName;
    try
    {
        var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
        string[] common = ["--stream", "charges", "--run-id", "live-executors", "--api-base", sandbox.BaseAddress.ToString(),
            "--lake", Path.Combine(folder, "lake"), "--state", Path.Combine(folder, "state.db")];
        var processes = new List<Task<(int ExitCode, string Output, double Seconds, double CpuSeconds, double PeakRssMiB)>>
        {
            Measure(["dotnet", job, "ingest", .. common, "--from", $"{options.StartTime - (71 * 86_400)}", "--to", $"{options.StartTime}", "--executors", "3"],
                Directory.CreateDirectory(Path.Combine(folder, "driver")).FullName),
        };
        for (var i = 0; i < 3; i++)
        {
            processes.Add(Measure(["dotnet", job, "execute", .. common, "--workers", $"{workers / 3}", "--executors", "3", "--executor", $"{i}"],
                Directory.CreateDirectory(Path.Combine(folder, $"executor-{i}")).FullName));
        }
        var ended = await Task.WhenAll(processes);
        if (ended.Any(e => e.ExitCode != 0))
        {
            Console.Error.WriteLine($"a process failed (exits {string.Join(", ", ended.Select(e => e.ExitCode))}):\n{ended[0].Output[^Math.Min(ended[0].Output.Length, 4000)..]}");
            return 1;
        }
        var records = ended[0].Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Last(l => l.GetProperty("event").GetString() == "summary").GetProperty("records").GetInt64();
        var finals = ended.Skip(1).Select(e => e.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Last(l => l.TryGetProperty("rate_limited", out _))).ToList();
        var requests = finals.Sum(f => f.GetProperty("requests").GetInt64());
        Console.WriteLine($"{charges:N0} charges at Stripe's live limits (100 requests/s, 300 +- 100 ms), driver + 3 executors with {workers / 3} workers each; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{records:N0} records in {ended[0].Seconds:N1} s = {records / ended[0].Seconds:N0} records/s over the whole run (planning, drain and commit included)");
        Console.WriteLine($"executors: {requests:N0} requests, {finals.Sum(f => f.GetProperty("rate_limited").GetInt64())} answered 429, "
            + $"{finals.Sum(f => f.GetProperty("retries").GetInt64())} retries; records per executor {string.Join(", ", finals.Select(f => f.GetProperty("records").GetInt64().ToString("N0", CultureInfo.InvariantCulture)))}");
        return 0;
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

static async Task<int> Stores(int charges, int workers, int rounds)
{
    using var aws = new OpsConsole.Bench.LocalAws();
    var options = FullSpeed(charges);
    await using var sandbox = await SandboxApp.StartAsync(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    var from = options.StartTime - (366 * 86_400);
    var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
    var runs = new Dictionary<string, List<(double Rate, double PerCpu, double Rss)>> { ["folder + SQLite"] = [], ["s3rver + dynalite"] = [] };
    for (var round = 0; round < rounds; round++)
    {
        foreach (var stores in runs.Keys)
        {
            var folder = Directory.CreateTempSubdirectory("opsconsole-ingest-stores-").FullName;
            try
            {
                var (lake, state) = stores.StartsWith("folder", StringComparison.Ordinal)
                    ? (Path.Combine(folder, "lake"), Path.Combine(folder, "state.db"))
                    : await InitAwsAsync(aws, $"bench-{round}");
                var run = await Measure(["dotnet", job, "ingest", "--stream", "charges", "--run-id", $"bench-{round}", "--api-base", sandbox.BaseAddress.ToString(),
                    "--lake", lake, "--state", state, "--from", $"{from}", "--to", $"{options.StartTime}", "--workers", $"{workers}",
                    "--requests-per-second", "1000000", "--rules", "none"], folder);
                var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                var summary = lines.LastOrDefault(l => l.GetProperty("event").GetString() == "summary");
                double Seconds(string message) => lines.FirstOrDefault(l => l.GetProperty("msg").GetString()!.StartsWith(message, StringComparison.Ordinal)) is
                    { ValueKind: JsonValueKind.Object } line && line.TryGetProperty("seconds", out var s) ? s.GetDouble() : double.NaN;
                if (run.ExitCode != 0 || summary.ValueKind == JsonValueKind.Undefined)
                {
                    Console.Error.WriteLine($"{stores}: the job failed (exit {run.ExitCode}):\n{run.Output[^Math.Min(run.Output.Length, 4000)..]}");
                    return 1;
                }
                var records = summary.GetProperty("records").GetInt64();
                runs[stores].Add((records / run.Seconds, records / run.CpuSeconds, run.PeakRssMiB));
                Console.WriteLine($"round {round + 1}, {stores}: {records:N0} records in {run.Seconds:N1} s wall, {run.CpuSeconds:N1} CPU s -> " +
                                  $"{records / run.Seconds:N0} records/s, {records / run.CpuSeconds:N0} per CPU-second, peak RSS {run.PeakRssMiB:N0} MiB " +
                                  $"(fetch and stage {Seconds("Fetched and staged"):N1} s, merge and commit {Seconds("Committed table version"):N1} s)");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
    Console.WriteLine($"{charges:N0} charges, {workers} workers, limits off, rules none, {rounds} rounds; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
    foreach (var (stores, figures) in runs)
    {
        Console.WriteLine($"{stores}: median {Median(figures.Select(f => f.Rate)):N0} records/s, {Median(figures.Select(f => f.PerCpu)):N0} per CPU-second, " +
                          $"peak RSS max {figures.Max(f => f.Rss):N0} MiB");
    }
    var ratio = Median(runs["s3rver + dynalite"].Select(f => f.Rate)) / Median(runs["folder + SQLite"].Select(f => f.Rate));
    Console.WriteLine($"s3rver + dynalite / folder + SQLite: {ratio:P0} of the records/s");
    return 0;
}

// A bucket, commit table and state table of their own, made by the job's own init commands.
static async Task<(string Lake, string State)> InitAwsAsync(OpsConsole.Bench.LocalAws aws, string name)
{
    var (lake, state) = (aws.LakeUri(name), aws.StateUri(name));
    var output = new StringWriter();
    if (await OpsConsole.SparkJobs.JobCommand.RunAsync(["lake", "init", "--lake", lake], output, output) != 0
        || await OpsConsole.SparkJobs.JobCommand.RunAsync(["state", "init", "--state", state], output, output) != 0)
    {
        throw new InvalidOperationException($"init failed: {output}");
    }
    return (lake, state);
}

// Runs a command under GNU time: wall seconds, user + system CPU seconds, peak RSS.
static async Task<(int ExitCode, string Output, double Seconds, double CpuSeconds, double PeakRssMiB)> Measure(string[] command, string folder)
{
    var report = Path.Combine(folder, "time.txt");
    // BENCH_TRACE=FILE: the job runs under dotnet-trace (sampled thread time) writing FILE; its figures then include the tracer.
    if (Environment.GetEnvironmentVariable("BENCH_TRACE") is { Length: > 0 } trace && command.Length > 2 && command[2] == "ingest")
    {
        command = ["dotnet-trace", "collect", "--profile", "dotnet-sampled-thread-time", "-o", trace, "--show-child-io", "--", .. command];
    }
    var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var arg in (string[])["-f", "%e %U %S %M", "-o", report, .. command])
    {
        start.ArgumentList.Add(arg);
    }
    start.Environment["STRIPE_SECRET_KEY"] = "sk_live_sandbox";
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var figures = File.ReadAllLines(report)[^1].Split(' ').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    return (process.ExitCode, output, figures[0], figures[1] + figures[2], figures[3] / 1024);
}

// Fetches every page of every slice with the same number of workers and parses it, keeping nothing but the bodies.
static async Task<int> Baseline(Uri api, long from, long to, long slice, int workers)
{
    using var http = new HttpClient { BaseAddress = api };
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk_live_sandbox");
    var slices = new ConcurrentQueue<long>();
    for (var end = to; end > from; end -= slice)
    {
        slices.Enqueue(end);
    }
    var bodies = new ConcurrentBag<byte[]>();
    long records = 0;
    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
    {
        while (slices.TryDequeue(out var end))
        {
            string? after = null;
            while (true)
            {
                var path = $"/v1/charges?limit=100&created[gte]={Math.Max(from, end - slice)}&created[lt]={end}" + (after is null ? "" : $"&starting_after={after}");
                var body = await http.GetByteArrayAsync(new Uri(path, UriKind.Relative));
                using var page = JsonDocument.Parse(body);
                var data = page.RootElement.GetProperty("data");
                Interlocked.Add(ref records, data.GetArrayLength());
                bodies.Add(body);
                if (!page.RootElement.GetProperty("has_more").GetBoolean() || data.GetArrayLength() == 0)
                {
                    break;
                }
                after = data[data.GetArrayLength() - 1].GetProperty("id").GetString();
            }
        }
    })));
    var watch = Stopwatch.StartNew();
    long parsed = 0;
    foreach (var body in bodies)
    {
        using var page = JsonDocument.Parse(body);
        parsed += page.RootElement.GetProperty("data").GetArrayLength();
    }
    Console.WriteLine(JsonSerializer.Serialize(new { records, parse_seconds = watch.Elapsed.TotalSeconds, parsed }));
    return 0;
}
