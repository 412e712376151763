using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpsConsole.Bench;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;

// Latency of the stores' operations, one at a time (no contention), on the folder and SQLite and on s3rver with
// commits through dynalite and on dynalite: a Delta commit (put-if-absent of a 2 KB commit file), a plain write and
// read of a 64 KB file, and the state store's checkpoint write and read, lease renewal, slice record and quality
// report save. Each operation runs `count` times after 20 warm-up calls; p50, p99 and max in milliseconds.
// usage: dotnet run -c Release --project bench/StoreBench -- [count=300]   (needs `npm ci` in tests/tools)
// (snapshot: a Delta table of COMMITS commits, each replacing one of 20 daily files, on the folder and on s3rver with
// dynalite; the time to read its snapshot from the newest checkpoint and the commits after it, and with the
// checkpoints removed, by replaying every commit, as the log did before it had checkpoints; five reads each)
// usage: dotnet run -c Release --project bench/StoreBench -- snapshot [commits=1000]
if (args.Length > 0 && args[0] == "snapshot")
{
    return await SnapshotBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000);
}
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
using var aws = new LocalAws();
var folder = Directory.CreateTempSubdirectory("opsconsole-store-bench-").FullName;
try
{
    var name = $"bench-{Guid.NewGuid():N}"[..20];
    await LakeStorages.Factory().InitAsync(aws.LakeUri(name));
    await StateStores.Factory().InitAsync(aws.StateUri(name));
    var lakes = new (string Name, ILakeStorage Lake)[] { ("folder", LakeStorages.Open(Path.Combine(folder, "lake"))), ("s3rver + dynalite", LakeStorages.Open(aws.LakeUri(name))) };
    var states = new (string Name, IStateStore State)[] { ("SQLite", StateStores.Open(Path.Combine(folder, "state.db"))), ("dynalite", StateStores.Open(aws.StateUri(name))) };
    Console.WriteLine($"{count} calls each after 20 warm-up calls, one at a time; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
    var commit = Encoding.UTF8.GetBytes(new string('x', 2048));
    var file = new byte[64 * 1024];
    Random.Shared.NextBytes(file);
    foreach (var (label, lake) in lakes)
    {
        await Report($"lake {label}: Delta commit (put-if-absent, 2 KB)", i => lake.PutIfAbsentAsync($"t/_delta_log/{i:D20}.json", commit));
        await Report($"lake {label}: write 64 KB", i => lake.WriteAsync($"t/data/part-{i:D5}.parquet", file));
        await Report($"lake {label}: read 64 KB", i => lake.ReadAsync($"t/data/part-{i % count:D5}.parquet"));
    }
    foreach (var (label, state) in states)
    {
        long version = 0;
        await Report($"state {label}: checkpoint write", async _ => version = (await state.WriteCheckpointAsync("stripe", "charges", version * 10, version, "bench", "bench")).Version);
        await Report($"state {label}: checkpoint read", _ => state.GetCheckpointAsync("stripe", "charges"));
        await state.AcquireLeaseAsync("stripe", "charges", "bench@1", TimeSpan.FromMinutes(5));
        await Report($"state {label}: lease renewal", _ => state.RenewLeaseAsync("stripe", "charges", "bench@1", TimeSpan.FromMinutes(5)));
        await Report($"state {label}: slice record", i => state.RecordSliceAsync("stripe", "charges", "bench", new CompletedSlice(i * 100L, (i * 100L) + 100, 100)));
        await Report($"state {label}: quality report save", i => state.SaveQualityReportAsync(new QualityReport
        {
            RunId = $"bench-{i}", Source = "stripe", Stream = "charges", At = 1_790_000_000_000 + i, Rows = 1000, Outcome = QualityOutcomes.Passed, Rules = [],
        }));
    }
    return 0;
}
finally
{
    Directory.Delete(folder, recursive: true);
}

async Task Report(string what, Func<int, Task> operation)
{
    for (var i = 0; i < 20; i++)
    {
        await operation(1_000_000 + i);
    }
    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        var watch = Stopwatch.StartNew();
        await operation(i);
        times[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    Console.WriteLine($"{what}: p50 {times[count / 2]:0.0} ms, p99 {times[(int)Math.Ceiling(count * 0.99) - 1]:0.0} ms, max {times[^1]:0.0} ms");
}
