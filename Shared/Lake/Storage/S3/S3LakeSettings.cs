using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage.S3;

/// <summary>
/// What an <c>s3://BUCKET/PREFIX?...</c> lake URI names, checked without reaching anything. Parameters:
/// <list type="bullet">
/// <item><c>region</c>: the bucket's AWS region (with <c>endpoint</c>, only what requests are signed with).</item>
/// <item><c>endpoint</c>, <c>pathStyle=true</c>: an S3-compatible server instead of AWS, addressed as <c>endpoint/bucket/key</c>.</item>
/// <item><c>commitTable</c> (and <c>commitEndpoint</c>): the DynamoDB table that makes Delta commits atomic (S3 has no
/// put-if-absent everywhere); or <c>commits=conditional</c> to rely on S3's <c>If-None-Match: *</c> instead, which is
/// probed when the lake opens. One of the two is required.</item>
/// <item><c>retryBudget</c>: seconds an operation may spend on retries before it fails (default 60).</item>
/// </list>
/// </summary>
public sealed record S3LakeSettings(string Bucket, string Prefix, AmazonS3Config S3, string? CommitTable, AmazonDynamoDBConfig? Commits, TimeSpan RetryBudget)
{
    private static readonly string[] Known = ["region", "endpoint", "pathStyle", "commitTable", "commitEndpoint", "commits", "retryBudget"];

    /// <summary>Where the lake is, for logs and errors: <c>s3://bucket/prefix</c>, without parameters.</summary>
    public string Location => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    /// <summary>True when commits rely on S3 conditional writes instead of a DynamoDB table.</summary>
    public bool ConditionalCommits => CommitTable is null;

    /// <summary>True when the URI names its own endpoint (a local S3-compatible server).</summary>
    public bool LocalEndpoint => S3.ServiceURL is not null;

    /// <exception cref="StoreUriException">A part is missing or wrong; the message names it.</exception>
    public static S3LakeSettings Parse(StoreUri uri)
    {
        var bucket = CheckBucket(uri.Authority ?? "");
        var prefix = CheckPrefix(uri.Path);
        if (uri.Parameters.Keys.FirstOrDefault(k => !Known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new StoreUriException($"has the parameter '{unknown}', which an s3: lake does not take (it takes {string.Join(", ", Known)}).");
        }
        var region = uri.Parameters.GetValueOrDefault("region");
        if (region is not null && !IsRegion(region))
        {
            throw new StoreUriException($"has the parameter region='{region}', which is not an AWS region name (like eu-west-1).");
        }
        var s3 = new AmazonS3Config
        {
            // The SDK's standard retries (jittered backoff, a retry quota), then the storage's own budget (RetryBudget
            // says why not the adaptive mode).
            RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 4, Timeout = TimeSpan.FromSeconds(30),
            // Checksums only where S3 requires them: the SigV4 signature already covers every payload (bodies are
            // sent whole, never aws-chunked), and S3-compatible servers store chunked or checksum-trailed bodies verbatim.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            ForcePathStyle = Flag(uri, "pathStyle"),
        };
        Point(s3, region, Endpoint(uri, "endpoint"));
        var (table, commits) = CommitCoordination(uri, region);
        return new S3LakeSettings(bucket, prefix, s3, table, commits, ParseRetryBudget(uri));
    }

    private static (string? Table, AmazonDynamoDBConfig? Config) CommitCoordination(StoreUri uri, string? region)
    {
        var table = uri.Parameters.GetValueOrDefault("commitTable");
        var mode = uri.Parameters.GetValueOrDefault("commits");
        switch (mode, table)
        {
            case (null or "dynamodb", null):
                throw new StoreUriException(
                    "names no commit coordination: add commitTable=TABLE (a DynamoDB table, as Delta's S3DynamoDBLogStore uses) or commits=conditional (S3 If-None-Match writes).");
            case ("conditional", not null):
                throw new StoreUriException("has both commits=conditional and commitTable; choose one.");
            case ("conditional", null):
                return uri.Parameters.ContainsKey("commitEndpoint")
                    ? throw new StoreUriException("has commitEndpoint with commits=conditional, which uses no DynamoDB table.")
                    : (null, null);
            case (null or "dynamodb", _):
                break;
            default:
                throw new StoreUriException($"has the parameter commits='{mode}'; it is dynamodb (with commitTable) or conditional.");
        }
        if (table.Length is < 3 or > 255 || !table.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new StoreUriException($"has the parameter commitTable='{table}'; a DynamoDB table name is 3 to 255 letters, digits, '_', '-' or '.'.");
        }
        var config = new AmazonDynamoDBConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 4, Timeout = TimeSpan.FromSeconds(10) };
        Point(config, region, Endpoint(uri, "commitEndpoint"));
        return (table, config);
    }

    /// <summary>The SDK's region and service URL replace each other: with an endpoint the region only signs.</summary>
    private static void Point(ClientConfig config, string? region, Uri? endpoint)
    {
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
    }

    private static string CheckBucket(string bucket)
    {
        // S3's rules for new buckets: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit.
        var valid = bucket.Length is >= 3 and <= 63
                    && bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
                    && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1]) && !bucket.Contains("..", StringComparison.Ordinal);
        return valid
            ? bucket
            : throw new StoreUriException($"names the bucket '{bucket}'; a bucket name is 3 to 63 lowercase letters, digits, '.' or '-' (s3://BUCKET/PREFIX).");
    }

    private static string CheckPrefix(string path)
    {
        var prefix = path.Trim('/');
        if (prefix.Split('/').Any(segment => segment is "." or ".." || (prefix.Length > 0 && segment.Length == 0)))
        {
            throw new StoreUriException($"has the prefix '{path}', which has an empty, '.' or '..' segment.");
        }
        return prefix;
    }

    private static Uri? Endpoint(StoreUri uri, string key) => uri.Parameters.GetValueOrDefault(key) switch
    {
        null => null,
        var value when Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" => url,
        var value => throw new StoreUriException($"has the parameter {key}='{value}', which is not an http(s) URL."),
    };

    private static bool Flag(StoreUri uri, string key) => uri.Parameters.GetValueOrDefault(key) switch
    {
        null or "false" => false,
        "true" or "" => true,
        var value => throw new StoreUriException($"has the parameter {key}='{value}'; it is true or false."),
    };

    private static TimeSpan ParseRetryBudget(StoreUri uri) => uri.Parameters.GetValueOrDefault("retryBudget") switch
    {
        null => TimeSpan.FromSeconds(60),
        var value when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 3600 =>
            TimeSpan.FromSeconds(seconds),
        var value => throw new StoreUriException($"has the parameter retryBudget='{value}'; it is whole seconds from 0 to 3600."),
    };

    private static bool IsRegion(string region) =>
        region.Length is >= 9 and <= 30 && region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && region.Count(c => c == '-') >= 2;
}
