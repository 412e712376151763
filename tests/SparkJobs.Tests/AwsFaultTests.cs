using System.Diagnostics;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.TestSupport;
using Xunit.Abstractions;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// The job on S3 and DynamoDB through <see cref="FaultProxy"/>: 5xx answers, throttling (<c>SlowDown</c>,
/// <c>ProvisionedThroughputExceededException</c>), dropped connections and slow answers. A run either ends exact or
/// exits 5 within its retry budget naming what failed, with nothing half-committed.
/// </summary>
public sealed class AwsFaultTests(S3rverServer s3rver, DynaliteServer dynalite, ITestOutputHelper console)
    : IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private readonly int _seed = Environment.TickCount;
    private FaultProxy _s3 = default!;
    private FaultProxy _dynamo = default!;
    private JobSandbox? _job;
    private string _direct = "";
    private string _directState = "";

    public async Task InitializeAsync()
    {
        console.WriteLine($"fault seed {_seed}");
        _s3 = await FaultProxy.StartAsync(new Uri(s3rver.Endpoint), dynamo: false, _seed);
        _dynamo = await FaultProxy.StartAsync(new Uri(dynalite.Endpoint), dynamo: true, _seed + 1);
        (_direct, _directState) = await AwsStores.InitAsync(s3rver, dynalite);
    }

    /// <summary>A Sandbox and the job's stores reached through the proxies, each store with this retry budget.</summary>
    private async Task<JobSandbox> StartJobAsync(int retryBudget)
    {
        var lake = _direct.Replace(s3rver.Endpoint, _s3.Address.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace(dynalite.Endpoint, _dynamo.Address.ToString().TrimEnd('/'), StringComparison.Ordinal) + $"&retryBudget={retryBudget}";
        var state = _directState.Replace(dynalite.Endpoint, _dynamo.Address.ToString().TrimEnd('/'), StringComparison.Ordinal) + $"&retryBudget={retryBudget}";
        return _job = await JobSandbox.StartAsync("aws-faults", o => (o.Charges, o.Days) = (1_500, 10), lake, state);
    }

    public async Task DisposeAsync()
    {
        if (_job is not null)
        {
            await _job.DisposeAsync();
        }
        await _s3.DisposeAsync();
        await _dynamo.DisposeAsync();
    }

    [Fact]
    public async Task FaultsOnOneRequestInEight_TheRunStillEndsExact()
    {
        foreach (var proxy in new[] { _s3, _dynamo })
        {
            (proxy.Rate, proxy.SlowDelay) = (0.125, TimeSpan.FromMilliseconds(500));
        }

        var job = await StartJobAsync(retryBudget: 30);

        var run = await job.RunChargesAsync("ingest", "--run-id", "faulty", "--mode", "full", "--rules", "none", "--workers", "4");

        var injected = $"S3: {Describe(_s3)}; DynamoDB: {Describe(_dynamo)}";
        console.WriteLine(injected);
        Assert.True(run.Code == 0, $"exit {run.Code} ({injected}): {run.Error}\n{run.Output}");
        Assert.True(_s3.Injected.Values.Sum() + _dynamo.Injected.Values.Sum() >= 10, injected);
        var state = StateStores.Open(_directState);
        using (state as IDisposable)
        {
            var checkpoint = (await state.GetCheckpointAsync("stripe", "charges"))!;
            await ChargesTruth.AssertTableEqualsAsync(job.Admin, _direct, checkpoint.Cursor!.Value);
        }
        using var lake = (IDisposable)LakeStorages.Open(_direct);
        Assert.DoesNotContain(await ((ILakeStorage)lake).ListAsync("raw/stripe/charges"), f => f.Contains("/_staging/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task S3ThrottlesEveryCommitWrite_TheRunExits5WithinItsBudget_NamingBucketAndKey_AndCommitsNothing()
    {
        var job = await StartJobAsync(retryBudget: 5);
        var first = await job.RunChargesAsync("ingest", "--run-id", "clean", "--mode", "full", "--rules", "none",
            "--to", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (3 * 86_400)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(first.Code == 0, first.Error + first.Output);
        (_s3.Rate, _s3.Faults, _s3.Applies) = (1, [Fault.Throttle], request => request.Method == "PUT" && request.Path.Value!.Contains("/_delta_log/", StringComparison.Ordinal));
        var watch = Stopwatch.StartNew();

        var (code, output, error) = await job.RunChargesAsync("ingest", "--run-id", "throttled", "--rules", "none");

        Assert.True(code == 5, $"exit {code}: {error}\n{output}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"gave up after {watch.Elapsed}");
        Assert.True((error + output).Contains("SlowDown", StringComparison.Ordinal), error + output);
        Assert.True((error + output).Contains("retry budget of 5 s is spent", StringComparison.Ordinal), error + output);
        Assert.True((error + output).Contains($"s3://{_direct[5..].Split('/')[0]}/warehouse/raw/stripe/charges/_delta_log/", StringComparison.Ordinal), error + output);
        var storage = LakeStorages.Open(_direct);
        using (storage as IDisposable)
        {
            var table = new LakeTable(storage, "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
            Assert.Equal(0, (await table.Log.ReadSnapshotAsync()).Version);
            Assert.DoesNotContain(await storage.ListAsync("raw/stripe/charges/_delta_log"), f => !f.EndsWith("00000000000000000000.json", StringComparison.Ordinal));
        }
        var state = StateStores.Open(_directState);
        using (state as IDisposable)
        {
            Assert.Equal(("clean", 1L), ((await state.GetCheckpointAsync("stripe", "charges"))!.UpdatedBy, (await state.GetCheckpointAsync("stripe", "charges"))!.Version));
        }
    }

    [Fact]
    public async Task DynamoDbThrottlesEverything_TheRunExits5NamingTheTable()
    {
        var job = await StartJobAsync(retryBudget: 5);
        (_dynamo.Rate, _dynamo.Faults) = (1, [Fault.Throttle]);

        var (code, output, error) = await job.RunChargesAsync("ingest", "--run-id", "no-state", "--rules", "none");

        Assert.True(code == 5, $"exit {code}: {error}\n{output}");
        Assert.True((error + output).Contains("ProvisionedThroughputExceededException", StringComparison.Ordinal), error + output);
        Assert.True((error + output).Contains("retry budget of 5 s is spent", StringComparison.Ordinal), error + output);
        Assert.True((error + output).Contains(_directState[11..].Split('?')[0], StringComparison.Ordinal), error + output);
    }

    private static string Describe(FaultProxy proxy) =>
        $"{proxy.Forwarded} forwarded, " + string.Join(", ", proxy.Injected.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key}"));
}
