using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using OpsConsole.Shared.Aws;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage.S3;

/// <summary>
/// The lake in an S3 bucket under a prefix (<c>s3://BUCKET/PREFIX</c>), production's lake. An object appears whole or
/// not at all, so plain writes are atomic; large streams go up in 8 MiB parts (multipart upload), one part in memory
/// at a time. Put-if-absent, which Delta commits need and S3 lacks, is coordinated through a DynamoDB table as Delta
/// Lake's S3DynamoDBLogStore does:
/// <list type="number">
/// <item>the bytes go to a temporary object <c>{folder}/.tmp/{name}.{guid}</c>;</item>
/// <item>an entry (folder, name, temporary key, complete=false) is put in the table only if none exists: the writer that puts it has won;</item>
/// <item>the winner writes the bytes to their place, marks the entry complete and deletes the temporary object.</item>
/// </list>
/// A writer that stopped after step 2 leaves an incomplete entry; the next writer that loses that name, and every
/// listing of the folder, finishes it (step 3), so a claimed commit is never lost and never half there. With
/// <c>commits=conditional</c> the store's own <c>If-None-Match: *</c> does the same in one request, after a probe
/// at open shows the store honours it. Every request runs under <see cref="RetryBudget"/>; the SDK's errors leave as
/// <see cref="StoreUnavailableException"/> naming bucket and key.
/// </summary>
public sealed class S3LakeStorage : ILakeStorage, IDisposable
{
    /// <summary>Parts of a multipart upload (S3's minimum is 5 MiB); a stream up to this size goes up in one request.</summary>
    public const int PartSize = 8 * 1024 * 1024;

    private const int DeleteBatch = 1_000;
    private const string WriterMetadata = "x-amz-meta-opsconsole-writer";
    private readonly IAmazonS3 _s3;
    private readonly S3LakeSettings _settings;
    private readonly DynamoDbCommitLog? _commits;
    private readonly RetryBudget _retries;
    private readonly TimeProvider _time;
    private readonly int _listPage;

    internal S3LakeStorage(IAmazonS3 s3, S3LakeSettings settings, IAmazonDynamoDB? dynamo, TimeProvider? time = null, int listPage = 1_000)
    {
        (_s3, _settings, _time, _listPage) = (s3, settings, time ?? TimeProvider.System, listPage);
        _retries = new RetryBudget(settings.RetryBudget);
        _commits = dynamo is null ? null : new DynamoDbCommitLog(dynamo, settings.CommitTable!, _retries);
    }

    public string Location => _settings.Location;

    /// <summary>
    /// Opens the lake a URI names: the bucket (and the commit table) must exist, since a run creates nothing (Terraform
    /// makes them, or <see cref="InitAsync"/> for local use); with <c>commits=conditional</c> the probe must pass.
    /// Credentials come from the SDK's default chain (the pod's role on EKS; the environment for a local server).
    /// </summary>
    public static S3LakeStorage Open(StoreUri uri, TimeProvider? time = null, int listPage = 1_000)
    {
        var storage = Connect(uri, time, listPage);
        try
        {
            storage.CheckAsync(CancellationToken.None).GetAwaiter().GetResult();
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>Creates the bucket and the commit table when they do not exist; idempotent. For local use: production's come from Terraform.</summary>
    public static async Task InitAsync(StoreUri uri, CancellationToken cancellationToken = default)
    {
        using var storage = Connect(uri, null, 1_000);
        await storage._retries.RunAsync($"Creating the bucket {storage._settings.Bucket}", async token =>
        {
            if (!await storage.BucketExistsAsync(token))
            {
                await storage._s3.PutBucketAsync(new PutBucketRequest { BucketName = storage._settings.Bucket }, token);
            }
        }, cancellationToken);
        if (storage._commits is { } commits)
        {
            await commits.CreateAsync(cancellationToken);
        }
    }

    private static S3LakeStorage Connect(StoreUri uri, TimeProvider? time, int listPage)
    {
        var settings = S3LakeSettings.Parse(uri);
        var s3 = new AmazonS3Client(settings.S3);
        var dynamo = settings.Commits is { } commits ? new AmazonDynamoDBClient(commits) : null;
        return new S3LakeStorage(s3, settings, dynamo, time, listPage);
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var exists = await _retries.RunAsync($"Opening the bucket {_settings.Bucket}", BucketExistsAsync, cancellationToken);
        if (!exists)
        {
            throw new StoreUnavailableException(
                $"The bucket {_settings.Bucket} does not exist: create it (Terraform, or OpsConsole.SparkJobs lake init --lake '{Location}?...').");
        }
        if (_commits is not null)
        {
            await _commits.EnsureExistsAsync(Location, cancellationToken);
        }
        else
        {
            await ProbeConditionalWritesAsync(cancellationToken);
        }
    }

    private async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = _settings.Bucket }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Writes a probe object twice with <c>If-None-Match: *</c>: the second write must be refused.</summary>
    private async Task ProbeConditionalWritesAsync(CancellationToken cancellationToken)
    {
        var probe = $"_probe/conditional-{Guid.NewGuid():N}";
        try
        {
            if (!await PutConditionalAsync(probe, "probe"u8.ToArray(), cancellationToken) || await PutConditionalAsync(probe, "probe"u8.ToArray(), cancellationToken))
            {
                throw new StoreUriException(
                    $"has commits=conditional, but {_settings.S3.ServiceURL ?? "S3"} does not honour If-None-Match: a second conditional write of s3://{_settings.Bucket}/{Key(probe)} succeeded. Coordinate commits through DynamoDB with commitTable=TABLE.");
            }
        }
        finally
        {
            await DeleteAsync(probe, cancellationToken);
        }
    }

    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default) => ReadKeyAsync(Key(path), cancellationToken);

    private Task<byte[]?> ReadKeyAsync(string key, CancellationToken cancellationToken) =>
        _retries.RunAsync($"Reading {Describe(key)}", async token =>
        {
            try
            {
                using var response = await _s3.GetObjectAsync(_settings.Bucket, key, token);
                var bytes = new byte[response.ContentLength];
                await response.ResponseStream.ReadExactlyAsync(bytes, token);
                return bytes;
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>The object's body as it arrives; disposing the stream ends the response.</summary>
    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var key = Key(path);
        return _retries.RunAsync<Stream?>($"Reading {Describe(key)}", async token =>
        {
            try
            {
                var response = await _s3.GetObjectAsync(_settings.Bucket, key, token);
                return new ResponseStream(response);
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
    }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        PutAsync(Key(path), content, cancellationToken);

    public async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var key = Key(path);
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
            if (filled < PartSize)
            {
                await PutAsync(key, buffer.AsMemory(0, filled), cancellationToken);
                return;
            }
            await UploadInPartsAsync(key, buffer, content, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A multipart upload whose first part is already in <paramref name="buffer"/>; aborted on any failure, so no part is left billed.</summary>
    private async Task UploadInPartsAsync(string key, byte[] buffer, Stream rest, CancellationToken cancellationToken)
    {
        var upload = await _retries.RunAsync($"Starting the upload of {Describe(key)}",
            token => _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _settings.Bucket, Key = key }, token), cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            for (var filled = PartSize; filled > 0; filled = await rest.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, false, cancellationToken))
            {
                var number = parts.Count + 1;
                var length = filled;
                var part = await _retries.RunAsync($"Uploading part {number} of {Describe(key)}", token => _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _settings.Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number, PartSize = length,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false), UseChunkEncoding = false,
                }, token), cancellationToken);
                parts.Add(new PartETag(number, part.ETag));
            }
            await _retries.RunAsync($"Completing the upload of {Describe(key)}", token => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _settings.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
            }, token), cancellationToken);
        }
        catch
        {
            try
            {
                await _s3.AbortMultipartUploadAsync(_settings.Bucket, key, upload.UploadId, CancellationToken.None);
            }
            catch (Exception abort) when (abort is AmazonServiceException or HttpRequestException or IOException)
            {
                // The bucket's lifecycle rule removes incomplete uploads the abort could not.
            }
            throw;
        }
    }

    public Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        _commits is null ? PutConditionalAsync(path, content, cancellationToken) : PutCoordinatedAsync(path, content, _commits, cancellationToken);

    /// <summary>One conditional put. A retry whose first answer was lost finds the object there: the writer tag says whether it is its own.</summary>
    private async Task<bool> PutConditionalAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var key = Key(path);
        var writer = Guid.NewGuid().ToString("N");
        try
        {
            await _retries.RunAsync($"Writing {Describe(key)} if absent", token =>
            {
                var request = PutRequest(key, content);
                request.IfNoneMatch = "*";
                request.Metadata[WriterMetadata] = writer;
                return _s3.PutObjectAsync(request, token);
            }, cancellationToken, passThrough: IsPreconditionFailed);
            return true;
        }
        catch (AmazonS3Exception exception) when (IsPreconditionFailed(exception))
        {
            var existing = await _retries.RunAsync($"Reading the metadata of {Describe(key)}",
                token => _s3.GetObjectMetadataAsync(_settings.Bucket, key, token), cancellationToken);
            return existing.Metadata[WriterMetadata] == writer;
        }
    }

    private static bool IsPreconditionFailed(Exception exception) => exception is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed };

    private async Task<bool> PutCoordinatedAsync(string path, ReadOnlyMemory<byte> content, DynamoDbCommitLog commits, CancellationToken cancellationToken)
    {
        var (folder, name) = Split(path);
        var key = Key(path);
        // A complete entry expires after a day; the object itself then says the name is taken.
        if (await ExistsAsync(key, cancellationToken))
        {
            return false;
        }
        var temp = Key($"{folder}{(folder.Length > 0 ? "/" : "")}.tmp/{name}.{Guid.NewGuid():N}");
        await PutAsync(temp, content, cancellationToken);
        var tablePath = TablePath(folder);
        if (!await commits.TryClaimAsync(tablePath, name, temp, cancellationToken))
        {
            var entry = await commits.GetAsync(tablePath, name, cancellationToken);
            if (entry?.TempKey != temp) // not a claim of ours whose answer was lost
            {
                await DeleteKeyAsync(temp, cancellationToken);
                if (entry is { Complete: false })
                {
                    await FinishAsync(entry, cancellationToken);
                }
                return false;
            }
        }
        await FinishAsync(new CommitEntry(tablePath, name, temp, Complete: false), cancellationToken, content);
        return true;
    }

    /// <summary>
    /// Puts a claimed file in place from its temporary object and marks its entry complete; any writer or reader may do
    /// it, more than once (the bytes are the same). The winner passes the bytes it holds and saves the look and read.
    /// </summary>
    private async Task FinishAsync(CommitEntry entry, CancellationToken cancellationToken, ReadOnlyMemory<byte>? content = null)
    {
        var folder = entry.TablePath[$"s3://{_settings.Bucket}/".Length..];
        var key = folder.Length == 0 ? entry.FileName : $"{folder}/{entry.FileName}";
        if (content is { } bytesInHand)
        {
            await PutAsync(key, bytesInHand, cancellationToken);
        }
        else if (!await ExistsAsync(key, cancellationToken))
        {
            // Read and written again rather than copied server-side: commits are small, and S3-compatible servers
            // differ in how they decode x-amz-copy-source.
            var bytes = await ReadKeyAsync(entry.TempKey, cancellationToken);
            if (bytes is null && !await ExistsAsync(key, cancellationToken))
            {
                throw new StoreUnavailableException($"{Describe(key)} was claimed in the commit table {_commits!.Table}, but its bytes ({Describe(entry.TempKey)}) are gone.");
            }
            if (bytes is not null)
            {
                await PutAsync(key, bytes, cancellationToken);
            }
        }
        await _commits!.CompleteAsync(entry, _time.GetUtcNow(), cancellationToken);
        await DeleteKeyAsync(entry.TempKey, cancellationToken);
    }

    /// <summary>A claimed but unfinished file in this folder is finished first, so a listing never misses a won commit.</summary>
    private async Task FinishLatestAsync(string folder, CancellationToken cancellationToken)
    {
        if (_commits is not null && await _commits.LatestAsync(TablePath(folder), cancellationToken) is { Complete: false } entry)
        {
            await FinishAsync(entry, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        [.. (await ListFilesAsync(prefix, cancellationToken)).Select(f => f.Path)];

    public async Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await FinishLatestAsync(prefix.TrimEnd('/'), cancellationToken);
        var objects = await ListObjectsAsync(prefix, cancellationToken);
        return [.. objects.Select(o => new LakeFile(Relative(o.Key), o.Size ?? 0, o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue))
            .Where(f => !f.Path.Split('/').Any(segment => segment.StartsWith(".tmp", StringComparison.Ordinal))).OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => DeleteKeyAsync(Key(path), cancellationToken);

    /// <summary>Deletes every object under the folder, temporary ones included, 1,000 keys per request.</summary>
    public async Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var keys = await ListKeysAsync(prefix, cancellationToken);
        foreach (var batch in keys.Chunk(DeleteBatch))
        {
            var response = await _retries.RunAsync($"Deleting {batch.Length} objects under {Describe(Key(prefix))}/", token => _s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _settings.Bucket, Objects = [.. batch.Select(key => new KeyVersion { Key = key })], Quiet = true,
            }, token), cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new StoreUnavailableException($"Deleting {Describe(errors[0].Key)} failed: {errors[0].Code}: {errors[0].Message} ({errors.Count} keys not deleted).");
            }
        }
    }

    public void Dispose()
    {
        _s3.Dispose();
        _commits?.Dispose();
    }

    private async Task<List<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) =>
        [.. (await ListObjectsAsync(prefix, cancellationToken)).Select(o => o.Key)];

    private async Task<List<S3Object>> ListObjectsAsync(string prefix, CancellationToken cancellationToken)
    {
        var root = Key(prefix.TrimEnd('/'), allowEmpty: true);
        var listed = root.Length == 0 ? "" : root + "/";
        var keys = new List<S3Object>();
        string? token = null;
        do
        {
            var continuation = token;
            var page = await _retries.RunAsync($"Listing {Describe(listed)}", t => _s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _settings.Bucket, Prefix = listed, MaxKeys = _listPage, ContinuationToken = continuation,
            }, t), cancellationToken);
            keys.AddRange(page.S3Objects ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    private Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        _retries.RunAsync($"Writing {Describe(key)}", token => _s3.PutObjectAsync(PutRequest(key, content), token), cancellationToken);

    private PutObjectRequest PutRequest(string key, ReadOnlyMemory<byte> content)
    {
        var bytes = MemoryMarshal.TryGetArray(content, out var segment) ? segment : new ArraySegment<byte>(content.ToArray());
        return new PutObjectRequest
        {
            BucketName = _settings.Bucket, Key = key, UseChunkEncoding = false,
            InputStream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false),
        };
    }

    private Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        _retries.RunAsync($"Looking for {Describe(key)}", async token =>
        {
            try
            {
                await _s3.GetObjectMetadataAsync(_settings.Bucket, key, token);
                return true;
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    private Task DeleteKeyAsync(string key, CancellationToken cancellationToken) =>
        _retries.RunAsync($"Deleting {Describe(key)}", token => _s3.DeleteObjectAsync(_settings.Bucket, key, token), cancellationToken);

    private string TablePath(string folder) => $"s3://{_settings.Bucket}/{Key(folder, allowEmpty: true)}";

    private static (string Folder, string Name) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
    }

    private string Describe(string key) => $"s3://{_settings.Bucket}/{key}";

    private string Key(string path, bool allowEmpty = false)
    {
        if ((path.Length == 0 && !allowEmpty) || path.StartsWith('/') || path.Split('/').Any(segment => segment is ".." || (path.Length > 0 && segment.Length == 0)))
        {
            throw new ArgumentException($"'{path}' is not a relative lake path.", nameof(path));
        }
        return _settings.Prefix.Length == 0 ? path : path.Length == 0 ? _settings.Prefix : $"{_settings.Prefix}/{path}";
    }

    private string Relative(string key) => _settings.Prefix.Length == 0 ? key : key[(_settings.Prefix.Length + 1)..];

    /// <summary>An object's body that disposes its response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _body.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
