using System.Diagnostics;
using OpsConsole.Bench;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Storage;

/// <summary>Reading a long Delta log's snapshot from its checkpoint against replaying every commit.</summary>
internal static class SnapshotBench
{
    public static async Task<int> RunAsync(int commits)
    {
        using var aws = new LocalAws();
        var folder = Directory.CreateTempSubdirectory("opsconsole-snapshot-bench-").FullName;
        try
        {
            var name = $"bench-{Guid.NewGuid():N}"[..20];
            await LakeStorages.Factory().InitAsync(aws.LakeUri(name));
            Console.WriteLine($"a Delta log of {commits} commits, 20 live files; five snapshot reads each; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            foreach (var (label, lake) in new (string, ILakeStorage)[] { ("folder", LakeStorages.Open(Path.Combine(folder, "lake"))), ("s3rver + dynalite", LakeStorages.Open(aws.LakeUri(name))) })
            {
                var log = new DeltaLog(lake, "t");
                var watch = Stopwatch.StartNew();
                await CommitAsync(log, commits);
                Console.WriteLine($"{label}: {commits} commits written in {watch.Elapsed.TotalSeconds:0.0} s ({log.CheckpointFailures} checkpoints failed)");
                Console.WriteLine($"{label}: snapshot from checkpoint {await log.LastCheckpointAsync()} and the commits after it: {await TimeAsync(log)}");
                foreach (var checkpoint in (await lake.ListAsync("t/_delta_log")).Where(p => p.EndsWith(".checkpoint.parquet", StringComparison.Ordinal)))
                {
                    await lake.DeleteAsync(checkpoint);
                }
                Console.WriteLine($"{label}: snapshot replaying all {commits} commits (no checkpoint): {await TimeAsync(log)}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task CommitAsync(DeltaLog log, int commits)
    {
        DeltaAdd Add(int day, int part) => new($"dt=2026-11-{day:D2}/part-{part}.parquet", new Dictionary<string, string?> { ["dt"] = $"2026-11-{day:D2}" }, 100_000,
            0, true, "{\"numRecords\":1000}");
        await log.TryCommitAsync(0,
        [
            new DeltaAction { Protocol = new DeltaProtocol(1, 2) },
            new DeltaAction { MetaData = new DeltaMetadata(Guid.NewGuid().ToString(), new DeltaFormat("parquet", []), "{\"type\":\"struct\",\"fields\":[]}", ["dt"], [], 0) },
            .. Enumerable.Range(1, 20).Select(d => new DeltaAction { Add = Add(d, 0) }),
        ], "CREATE TABLE");
        for (var v = 1; v < commits; v++)
        {
            var day = (v % 20) + 1;
            var old = Add(day, v > 20 ? v - 20 : 0);
            await log.TryCommitAsync(v,
            [
                new DeltaAction { Remove = new DeltaRemove(old.Path, 0, true, true, old.PartitionValues, old.Size) },
                new DeltaAction { Add = Add(day, v) },
                new DeltaAction { Txn = new DeltaTransaction($"run-{v}", v, 0) },
            ], "MERGE");
        }
    }

    private static async Task<string> TimeAsync(DeltaLog log)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            var snapshot = await log.ReadSnapshotAsync();
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (snapshot.Files.Count != 20)
            {
                throw new InvalidOperationException($"the snapshot has {snapshot.Files.Count} files, not 20");
            }
        }
        times.Sort();
        return $"median {times[2]:0.0} ms (each: {string.Join(", ", times.Select(t => $"{t:0.0}"))} ms)";
    }
}
