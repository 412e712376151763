using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using static OpsConsole.SparkJobs.Cli.ArgumentChecks;

namespace OpsConsole.SparkJobs.Cli;

/// <summary>
/// <c>table compact</c>, <c>table vacuum</c> and <c>table clean-log</c>: a stream's table kept healthy (see
/// <see cref="TableMaintenance"/>). Progress goes to the output as it happens, then one JSON line with the result.
/// Vacuum and clean-log only list what they would delete unless given <c>--apply</c>.
/// </summary>
internal static class TableCommands
{
    public static Command Create(JobOptions o, TextWriter output, TextWriter error)
    {
        var compact = new Command("compact", "Rewrite each partition's small files into files of --target-mib, in one commit with dataChange=false.")
        {
            o.Stream, o.Source, o.Lake, o.Partition, o.TargetMib,
        };
        var vacuum = new Command("vacuum", "List (or with --apply delete) the files no snapshot within --retain-hours reads, crash leftovers included.")
        {
            o.Stream, o.Source, o.Lake, o.RetainHours, o.Apply,
        };
        var cleanLog = new Command("clean-log", "List (or with --apply delete) the commit files before the newest checkpoint older than --retain-hours.")
        {
            o.Stream, o.Source, o.Lake, o.LogRetainHours, o.Apply,
        };
        compact.SetAction((parse, token) => RunAsync(parse, o, output, error, async (maintenance, progress) =>
        {
            var partition = parse.GetValue(o.Partition);
            var result = await maintenance.CompactAsync(partition, parse.GetValue(o.TargetMib) * (1L << 20), progress, token);
            return new
            {
                operation = "compact", version = result.Version, committed = result.Committed, partitions = result.Partitions, files_removed = result.FilesRemoved,
                bytes_removed = result.BytesRemoved, files_added = result.FilesAdded, bytes_added = result.BytesAdded, rows = result.Rows,
            };
        }, Check(parse.GetValue(o.TargetMib) is >= 1 and <= 1024, "--target-mib must be between 1 and 1024.", error)
            && Check(parse.GetValue(o.Partition) is not { } dt || DateOnly.TryParseExact(dt, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                $"--partition '{parse.GetValue(o.Partition)}' is not a dt value (yyyy-MM-dd).", error), token));
        vacuum.SetAction((parse, token) => RunAsync(parse, o, output, error, async (maintenance, progress) =>
        {
            var result = await maintenance.VacuumAsync(TimeSpan.FromHours(parse.GetValue(o.RetainHours)), parse.GetValue(o.Apply), progress, token);
            foreach (var path in result.Paths.Take(1000))
            {
                progress($"{(result.Applied ? "deleted" : "would delete")} {path}");
            }
            return new
            {
                operation = "vacuum", version = result.Version, applied = result.Applied, cutoff = result.Cutoff, files = result.Files, bytes = result.Bytes,
                deleted = result.Deleted,
            };
        }, RetentionOk(parse.GetValue(o.RetainHours), error), token));
        cleanLog.SetAction((parse, token) => RunAsync(parse, o, output, error, async (maintenance, _) =>
        {
            var result = await maintenance.CleanLogAsync(TimeSpan.FromHours(parse.GetValue(o.LogRetainHours)), parse.GetValue(o.Apply), token);
            return new
            {
                operation = "clean-log", kept_from = result.KeptFrom, applied = result.Applied, cutoff = result.Cutoff, files = result.Files, bytes = result.Bytes,
                deleted = result.Deleted,
            };
        }, RetentionOk(parse.GetValue(o.LogRetainHours), error), token));
        return new Command("table", "Maintain a stream's table: compact, vacuum, clean-log.") { compact, vacuum, cleanLog };
    }

    private static bool RetentionOk(double hours, TextWriter error) =>
        Check(hours >= TableMaintenance.MinimumRetention.TotalHours && hours <= 24 * 3650,
            $"--retain-hours must be between {TableMaintenance.MinimumRetention.TotalHours:0} and 87600: a younger unreferenced file may belong to a commit in flight.", error);

    private static Task<int> RunAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error,
        Func<TableMaintenance, Action<string>, Task<object>> operation, bool valid, CancellationToken cancellationToken)
    {
        var (source, name) = (parse.GetValue(o.Source)!, parse.GetValue(o.Stream)!);
        return !valid ? Task.FromResult(JobExitCodes.InvalidArguments) : OnTableAsync(source, name, parse.GetValue(o.Lake), error, async lake =>
        {
            var maintenance = new TableMaintenance(LakeStorages.Open(lake), LakePaths.Table(source, name), new ParquetFormat());
            var result = await operation(maintenance, line => output.WriteLine(line));
            await output.WriteLineAsync(JsonSerializer.Serialize(result));
            return JobExitCodes.Ok;
        });
    }
}
