using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.TestSupport;
using Xunit.Abstractions;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// The job with the lake on S3 (s3rver) and the state in DynamoDB (dynalite): only the two URIs change, and every
/// guarantee of the folder and SQLite holds: the table equals the source, each id once, no staging left.
/// </summary>
public sealed class AwsStoresTests(S3rverServer s3rver, DynaliteServer dynalite) : IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private JobSandbox _job = default!;

    public async Task InitializeAsync()
    {
        var (lake, state) = await AwsStores.InitAsync(s3rver, dynalite);
        _job = await JobSandbox.StartAsync("aws", o => (o.Charges, o.Days) = (2_000, 12), lake, state);
    }

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task Ingest_FullThenIncremental_OnS3AndDynamoDb_EqualsTheSourceWithNoStagingLeft()
    {
        var first = await _job.RunChargesAsync("ingest", "--run-id", "aws-1", "--mode", "full", "--rules", "none", "--workers", "4");
        Assert.True(first.Code == 0, first.Error + first.Output);
        (await _job.Admin.PostAsync(new Uri("/_sandbox/charges?count=25", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Task.Delay(1100);

        var second = await _job.RunChargesAsync("ingest", "--run-id", "aws-2", "--rules", "none");
        var verifyOutput = new StringWriter();
        var verifyCode = await JobCommand.RunAsync(["verify", "--stream", "charges", "--lake", _job.Lake], verifyOutput, verifyOutput, _ => null);

        Assert.True(second.Code == 0, second.Error + second.Output);
        Assert.True(verifyCode == 0, verifyOutput.ToString());
        Assert.Contains("\"each_id_once\":true", verifyOutput.ToString(), StringComparison.Ordinal);
        var state = StateStores.Open(_job.State);
        using (state as IDisposable)
        {
            var checkpoint = (await state.GetCheckpointAsync("stripe", "charges"))!;
            Assert.Equal((2L, "aws-2"), (checkpoint.Version, checkpoint.UpdatedBy));
            await ChargesTruth.AssertTableEqualsAsync(_job.Admin, _job.Lake, checkpoint.Cursor!.Value);
        }
        using var lake = (IDisposable)LakeStorages.Open(_job.Lake);
        var files = await ((ILakeStorage)lake).ListAsync("raw/stripe/charges");
        Assert.DoesNotContain(files, f => f.Contains("/_staging/", StringComparison.Ordinal));
        Assert.Contains("raw/stripe/charges/_delta_log/00000000000000000001.json", files);

        // Vacuum on S3, seen from two days on: the files the second run replaced and a crashed writer's file go, the table stays whole.
        var storage = (ILakeStorage)lake;
        await storage.WriteAsync("raw/stripe/charges/dt=2026-01-01/part-crashed.parquet", "not committed"u8.ToArray());
        var maintenance = new TableMaintenance(storage, "raw/stripe/charges", new ParquetFormat(), new Ahead(TimeSpan.FromDays(2)));
        var dry = await maintenance.VacuumAsync(TimeSpan.FromDays(1), apply: false);
        Assert.Contains("dt=2026-01-01/part-crashed.parquet", dry.Paths);
        // The files the second run replaced: none when its new charges all fell in a new day's partition (just after midnight).
        var replaced = (await maintenance.Log.ReadCommitAsync(1)).Count(action => action.Remove is not null);
        Assert.True(dry.Files == 1 + replaced, string.Join(", ", dry.Paths));
        var applied = await maintenance.VacuumAsync(TimeSpan.FromDays(1), apply: true);
        Assert.Equal(dry.Files, applied.Deleted);
        Assert.DoesNotContain("raw/stripe/charges/dt=2026-01-01/part-crashed.parquet", await storage.ListAsync("raw/stripe/charges"));
        Assert.Equal(0, await JobCommand.RunAsync(["verify", "--stream", "charges", "--lake", _job.Lake], TextWriter.Null, TextWriter.Null, _ => null));
        using (var again = StateStores.Open(_job.State) as IDisposable)
        {
            await ChargesTruth.AssertTableEqualsAsync(_job.Admin, _job.Lake, (await ((IStateStore)again!).GetCheckpointAsync("stripe", "charges"))!.Cursor!.Value);
        }
    }

    /// <summary>The clock of a later day.</summary>
    private sealed class Ahead(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }

    [Fact]
    public async Task Ingest_BucketNeverMade_Exits5NamingItAndHowToMakeIt()
    {
        var lake = s3rver.LakeUri("never-made", "lake", dynalite, "opsconsole-commits-aws");

        var (code, output, error) = await RunWithLakeAsync(lake);

        Assert.True(code == 5, $"exit {code}: {error}\n{output}");
        Assert.Contains("The bucket never-made does not exist", error + output, StringComparison.Ordinal);
        Assert.Contains("lake init", error + output, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> RunWithLakeAsync(string lake)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await JobCommand.RunAsync(["ingest", "--stream", "charges", "--run-id", "nolake", "--state", _job.State, "--lake", lake,
            "--api-base", _job.Sandbox.BaseAddress.ToString()], output, error, name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null);
        return (code, output.ToString(), error.ToString());
    }
}

/// <summary>Data quality with the lake on S3 and the state in DynamoDB: a failing blocking rule commits nothing, the batch is quarantined in the lake.</summary>
public sealed class AwsQualityTests(S3rverServer s3rver, DynaliteServer dynalite) : IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private JobSandbox _job = default!;

    public async Task InitializeAsync()
    {
        var (lake, state) = await AwsStores.InitAsync(s3rver, dynalite);
        _job = await JobSandbox.StartAsync("aws-dq", o => (o.Charges, o.Days, o.BadDataRate) = (2_000, 12, 0.04), lake, state);
    }

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task BlockingRule_Failing_OnS3AndDynamoDb_CommitsNothingAndKeepsTheCheckpoint()
    {
        var clean = await _job.RunChargesAsync("ingest", "--run-id", "clean", "--mode", "full", "--rules", "none",
            "--to", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (3 * 86_400)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(clean.Code == 0, clean.Error + clean.Output);
        var storage = LakeStorages.Open(_job.Lake);
        using var disposing = (IDisposable)storage;
        var table = new LakeTable(storage, "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
        var before = await table.Log.ReadSnapshotAsync();
        var rules = Path.Combine(Directory.CreateDirectory(_job.Folder).FullName, "blocking.yaml");
        await File.WriteAllTextAsync(rules, "rules:\n  - type: non_negative\n    column: amount\n    severity: error\n    blocking: true\n");

        var (code, output, error) = await _job.RunChargesAsync("ingest", "--run-id", "blocked", "--rules", rules);

        Assert.True(code == 3, $"exit {code}: {error}\n{output}");
        var after = await table.Log.ReadSnapshotAsync();
        Assert.Equal(before.Version, after.Version);
        var parquet = (await storage.ListAsync("raw/stripe/charges")).Where(f => f.EndsWith(".parquet", StringComparison.Ordinal) && !f.Contains("/_staging/", StringComparison.Ordinal));
        Assert.Equal(before.Files.Keys.Select(f => $"raw/stripe/charges/{f}").Order(), parquet.Order());
        var state = StateStores.Open(_job.State);
        using (state as IDisposable)
        {
            Assert.Equal(1, (await state.GetCheckpointAsync("stripe", "charges"))!.Version);
            var report = (await state.GetQualityReportAsync("blocked"))!;
            Assert.Equal(QualityOutcomes.Blocked, report.Outcome);
            Assert.NotEmpty(await storage.ListAsync(report.Quarantine!));
        }
    }
}

/// <summary>The crash drill with the lake on S3 (s3rver) and the state in DynamoDB (dynalite).</summary>
public sealed class AwsCrashRecoveryTests(ITestOutputHelper console, S3rverServer s3rver, DynaliteServer dynalite)
    : CrashRecoverySpec(console), IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>
{
    protected override (string? Lake, string? State) Stores() => AwsStores.InitAsync(s3rver, dynalite).GetAwaiter().GetResult();
}

/// <summary>A bucket, a commit table and a state table of their own, made with the job's own <c>lake init</c> and <c>state init</c>.</summary>
internal static class AwsStores
{
    public static async Task<(string Lake, string State)> InitAsync(S3rverServer s3rver, DynaliteServer dynalite)
    {
        var id = Guid.NewGuid().ToString("N");
        var lake = s3rver.LakeUri($"lake-{id}", "warehouse", dynalite, $"commits-{id}");
        var state = dynalite.StateUri($"state-{id}");
        foreach (var args in new[] { new[] { "lake", "init", "--lake", lake }, ["state", "init", "--state", state] })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.True(await JobCommand.RunAsync(args, output, error, _ => null) == 0, $"{string.Join(' ', args)}: {error}{output}");
            Assert.Contains("\"ready\":true", output.ToString(), StringComparison.Ordinal);
        }
        return (lake, state);
    }
}
