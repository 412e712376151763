namespace OpsConsole.TestSupport;

/// <summary>
/// s3rver (tests/tools, npm): the S3 API on a temporary folder, which checks request signatures against the access
/// key S3RVER / S3RVER. Those credentials are put in this process's environment, where the AWS SDK's default chain
/// finds them (and child processes inherit them); DynamoDB servers here accept any. s3rver makes ListObjectsV2
/// continuation tokens with DES, which Node's OpenSSL 3 offers only with its legacy provider: without it every
/// listing that spans pages answers 500.
/// </summary>
public sealed class S3rverServer : NodeServer
{
    public const string AccessKey = "S3RVER";

    public S3rverServer() : this(Directory.CreateTempSubdirectory("opsconsole-s3rver-").FullName)
    {
    }

    private S3rverServer(string folder) : base("s3rver", "bin/s3rver.js", port => ["-d", folder, "-a", "127.0.0.1", "-p", $"{port}", "--silent"], "--openssl-legacy-provider")
    {
        Folder = folder;
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", AccessKey);
    }

    /// <summary>Where the server keeps its buckets.</summary>
    public string Folder { get; }

    /// <summary>
    /// A lake URI on this server: the bucket and prefix, path-style addressing, and commits coordinated through
    /// <paramref name="commitTable"/> on <paramref name="dynalite"/> (or <c>commits=conditional</c> without them).
    /// </summary>
    public string LakeUri(string bucket, string prefix, DynaliteServer? dynalite = null, string? commitTable = null, string extra = "")
    {
        var commits = dynalite is null ? "commits=conditional" : $"commitTable={commitTable ?? "opsconsole-commits"}&commitEndpoint={dynalite.Endpoint}";
        return $"s3://{bucket}/{prefix}?endpoint={Endpoint}&region=us-east-1&pathStyle=true&{commits}{extra}";
    }

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
