using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Lake.Storage.S3;
using OpsConsole.Shared.Storage;
using OpsConsole.TestSupport;

namespace OpsConsole.Shared.Tests;

/// <summary>
/// The lake-storage specification on S3 (s3rver) with commits coordinated through DynamoDB (dynalite), each test in a
/// bucket of its own and listing 7 keys a page so every listing pages; and what only S3 has: the URI, the commit
/// protocol's recovery, the conditional-write probe, the retry budget.
/// </summary>
public sealed class S3LakeStorageTests(S3rverServer s3rver, DynaliteServer dynalite)
    : LakeStorageSpec, IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private readonly string _bucket = $"lake-{Guid.NewGuid():N}";
    private readonly string _table = $"commits-{Guid.NewGuid():N}";
    private S3LakeStorage? _lake;

    protected override ILakeStorage Lake => _lake!;

    private string Uri => s3rver.LakeUri(_bucket, "warehouse", dynalite, _table);

    public async Task InitializeAsync()
    {
        await LakeStorages.Factory().InitAsync(Uri);
        _lake = S3LakeStorage.Open(StoreUri.Parse(Uri, "file"), listPage: 7);
    }

    public Task DisposeAsync()
    {
        _lake?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Files_LandUnderThePrefix_AsObjectsOfTheBucket()
    {
        await Lake.WriteAsync("t/a.json", "a"u8.ToArray());

        Assert.Equal($"s3://{_bucket}/warehouse", Lake.Location);
        Assert.True(File.Exists(Path.Combine(s3rver.Folder, _bucket, "warehouse", "t", "a.json._S3rver_object")));
    }

    [Fact]
    public async Task Init_Twice_IsHarmless_AndOpenWithoutIt_SaysWhatIsMissingAndHowToMakeIt()
    {
        await LakeStorages.Factory().InitAsync(Uri);

        var bucket = Assert.Throws<StoreUnavailableException>(() => LakeStorages.Open(s3rver.LakeUri("never-made", "p", dynalite, _table)));
        var table = Assert.Throws<StoreUnavailableException>(() => LakeStorages.Open(s3rver.LakeUri(_bucket, "p", dynalite, "never-made")));

        Assert.StartsWith("The bucket never-made does not exist: create it (Terraform, or OpsConsole.SparkJobs lake init", bucket.Message, StringComparison.Ordinal);
        Assert.StartsWith("The DynamoDB commit table never-made does not exist", table.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3://Bad_Bucket/p?commitTable=commits", "names the bucket 'Bad_Bucket'")]
    [InlineData("s3://lake/a/../b?commitTable=commits", "has the prefix '/a/../b'")]
    [InlineData("s3://lake/p", "names no commit coordination: add commitTable=TABLE")]
    [InlineData("s3://lake/p?commits=conditional&commitTable=commits", "has both commits=conditional and commitTable")]
    [InlineData("s3://lake/p?commits=sometimes", "has the parameter commits='sometimes'")]
    [InlineData("s3://lake/p?commitTable=x", "has the parameter commitTable='x'")]
    [InlineData("s3://lake/p?commitTable=commits&region=Europe", "has the parameter region='Europe'")]
    [InlineData("s3://lake/p?commitTable=commits&endpoint=ftp://x", "has the parameter endpoint='ftp://x', which is not an http(s) URL.")]
    [InlineData("s3://lake/p?commitTable=commits&pathStyle=yes", "has the parameter pathStyle='yes'")]
    [InlineData("s3://lake/p?commitTable=commits&retryBudget=-1", "has the parameter retryBudget='-1'")]
    [InlineData("s3://lake/p?commitTable=commits&secret=x", "has the parameter 'secret', which an s3: lake does not take")]
    public void Parse_WrongUri_SaysWhatIsWrong(string uri, string message) =>
        Assert.StartsWith(message, Assert.Throws<StoreUriException>(() => LakeStorages.Factory().Parse(uri)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task ConditionalCommits_OnAServerThatIgnoresIfNoneMatch_AreRefusedByTheProbe()
    {
        var uri = s3rver.LakeUri(_bucket, "p");

        var refused = Assert.Throws<StoreUriException>(() => LakeStorages.Open(uri));

        Assert.Contains("does not honour If-None-Match", refused.Message, StringComparison.Ordinal);
        Assert.Contains("commitTable=TABLE", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(s3rver.Folder, _bucket, "p", "_probe")));
    }

    [Fact]
    public async Task AWriterThatStoppedAfterItsClaim_IsFinishedByTheNextListing()
    {
        await StopAfterClaimAsync("t/_delta_log", "00000000000000000003.json", "the winner's commit"u8.ToArray());

        Assert.Equal(["t/_delta_log/00000000000000000003.json"], await Lake.ListAsync("t/_delta_log"));
        Assert.Equal("the winner's commit"u8.ToArray(), await Lake.ReadAsync("t/_delta_log/00000000000000000003.json"));
        Assert.Equal("true", (await CommitEntryAsync("t/_delta_log", "00000000000000000003.json"))["complete"].S);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(s3rver.Folder, _bucket), "*", SearchOption.AllDirectories),
            f => f.Contains("/.tmp/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWriterThatStoppedAfterItsClaim_KeepsTheName_AndTheLoserFinishesIt()
    {
        await StopAfterClaimAsync("t/_delta_log", "00000000000000000004.json", "claimed first"u8.ToArray());

        Assert.False(await Lake.PutIfAbsentAsync("t/_delta_log/00000000000000000004.json", "came second"u8.ToArray()));

        Assert.Equal("claimed first"u8.ToArray(), await Lake.ReadAsync("t/_delta_log/00000000000000000004.json"));
        var entry = await CommitEntryAsync("t/_delta_log", "00000000000000000004.json");
        Assert.Equal("true", entry["complete"].S);
        Assert.True(long.Parse(entry["expireTime"].N, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task NobodyListening_FailsWithinTheRetryBudget_NamingBucketAndKey()
    {
        var uri = $"s3://{_bucket}/p?endpoint=http://127.0.0.1:{LoopbackPorts.Free()}&pathStyle=true&commits=conditional&retryBudget=2";
        var watch = Stopwatch.StartNew();

        var failed = Assert.Throws<StoreUnavailableException>(() => LakeStorages.Open(uri));

        Assert.StartsWith($"Opening the bucket {_bucket} failed", failed.Message, StringComparison.Ordinal);
        Assert.Contains("retry budget of 2 s is spent", failed.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    /// <summary>Steps 1 and 2 of a commit, as a writer killed before its copy leaves them: the bytes in a temporary object, an incomplete entry.</summary>
    private async Task StopAfterClaimAsync(string folder, string name, byte[] content)
    {
        using var s3 = S3Client();
        var temp = $"warehouse/{folder}/.tmp/{name}.{Guid.NewGuid():N}";
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = _bucket, Key = temp, InputStream = new MemoryStream(content), UseChunkEncoding = false,
        });
        using var dynamo = DynamoClient();
        await dynamo.PutItemAsync(_table, new Dictionary<string, AttributeValue>
        {
            ["tablePath"] = new($"s3://{_bucket}/warehouse/{folder}"), ["fileName"] = new(name), ["tempPath"] = new(temp), ["complete"] = new("false"),
        });
    }

    private async Task<Dictionary<string, AttributeValue>> CommitEntryAsync(string folder, string name)
    {
        using var dynamo = DynamoClient();
        return (await dynamo.GetItemAsync(_table, new Dictionary<string, AttributeValue>
        {
            ["tablePath"] = new($"s3://{_bucket}/warehouse/{folder}"), ["fileName"] = new(name),
        })).Item;
    }

    private AmazonS3Client S3Client() => new(new AmazonS3Config
    {
        ServiceURL = s3rver.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
    });

    private AmazonDynamoDBClient DynamoClient() => new(new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint, AuthenticationRegion = "us-east-1" });
}
