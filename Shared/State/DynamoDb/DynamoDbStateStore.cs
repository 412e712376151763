using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsConsole.Shared.Aws;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.State.DynamoDb;

/// <summary>
/// The state store in one DynamoDB table (<c>dynamodb://TABLE</c>), production's store. Every item has a partition key
/// <c>pk</c> and a sort key <c>sk</c>:
/// <list type="table">
/// <item><term><c>checkpoints</c> / <c>{source}/{stream}</c></term><description>the current checkpoint (one query lists them all)</description></item>
/// <item><term><c>history#{source}/{stream}</c> / version, 20 digits</term><description>every version of a checkpoint</description></item>
/// <item><term><c>lease#{source}/{stream}</c> / <c>lease</c></term><description>who holds the stream, until when</description></item>
/// <item><term><c>slices#{source}/{stream}#{run}</c> / from-to, 20 digits each</term><description>a run's finished slices</description></item>
/// <item><term><c>report#{run}</c> / <c>report</c> and <c>reports#{source}/{stream}</c> / time#run</term><description>quality reports, by run and by stream (shortened past <see cref="MaxReportBytes"/>, the whole one in the lake)</description></item>
/// </list>
/// Conditional single-item writes carry the guarantees SQLite's transactions give (no multi-item transactions, so the
/// store also runs on DynamoDB-compatible servers without them): a new checkpoint version is written to the current
/// item only if it is still at the expected version, and the item carries everything its history entry needs, so a
/// writer that stopped between the two is completed by the next reader or writer; a lease is taken only when it is
/// free, expired or the caller's. The SDK's errors leave as <see cref="StoreUnavailableException"/>.
/// </summary>
public sealed class DynamoDbStateStore : IStateStore, IDisposable
{
    /// <summary>The table's partition key and sort key (strings).</summary>
    public const string PartitionKey = "pk";

    public const string SortKey = "sk";

    /// <summary>The attribute DynamoDB's time to live reads (epoch seconds); set on lease items.</summary>
    public const string TtlAttribute = "ttl";

    /// <summary>
    /// A report's JSON in an item at most (DynamoDB's limit is 400 KB an item, attributes and names included); a larger
    /// report is stored shortened, pointing at the whole one in the lake.
    /// </summary>
    public const int MaxReportBytes = 300_000;

    private const string Checkpoints = "checkpoints";
    private readonly IAmazonDynamoDB _client;
    private readonly string _table;
    private readonly TimeProvider _time;

    public DynamoDbStateStore(IAmazonDynamoDB client, string table, TimeProvider? time = null, TimeSpan? retryBudget = null)
    {
        (_client, _table, _time) = (client, table, time ?? TimeProvider.System);
        _retries = new RetryBudget(retryBudget ?? DefaultRetryBudget);
    }

    /// <summary>How long an operation may retry throttling, 5xx and network errors, after the SDK's own retries, before it fails.</summary>
    public static readonly TimeSpan DefaultRetryBudget = TimeSpan.FromSeconds(30);

    private readonly RetryBudget _retries;

    /// <summary>
    /// The table, the client's settings and the retry budget a URI names (<c>dynamodb://TABLE?region=R&amp;endpoint=URL&amp;retryBudget=SECONDS</c>),
    /// checked without reaching anything.
    /// </summary>
    public static (string Table, AmazonDynamoDBConfig Config, TimeSpan RetryBudget) Configure(StoreUri uri)
    {
        var table = uri.Authority ?? "";
        if (table.Length is < 3 or > 255 || !table.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new StoreUriException($"names the table '{table}'; a DynamoDB table name is 3 to 255 letters, digits, '_', '-' or '.' (dynamodb://TABLE).");
        }
        if (uri.Path.Trim('/').Length > 0)
        {
            throw new StoreUriException($"has the path '{uri.Path}' after the table; write dynamodb://TABLE?region=R.");
        }
        string? region = null;
        Uri? endpoint = null;
        var budget = DefaultRetryBudget;
        foreach (var (key, value) in uri.Parameters)
        {
            switch (key)
            {
                case "region":
                    region = value;
                    break;
                case "endpoint" when Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https":
                    endpoint = url;
                    break;
                case "endpoint":
                    throw new StoreUriException($"has the parameter endpoint='{value}', which is not an http(s) URL.");
                case "retryBudget" when int.TryParse(value, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 3600:
                    budget = TimeSpan.FromSeconds(seconds);
                    break;
                case "retryBudget":
                    throw new StoreUriException($"has the parameter retryBudget='{value}'; it is whole seconds from 0 to 3600.");
                default:
                    throw new StoreUriException($"has the parameter '{key}', which a dynamodb: store does not take (it takes region, endpoint and retryBudget).");
            }
        }
        // The SDK's region and service URL replace each other: an endpoint takes the region only to sign with it.
        // The SDK's standard retries (see RetryBudget for why not adaptive) under the store's own budget, a bounded wait per request: an unreachable
        // store fails the caller within about half a minute instead of hanging.
        var config = new AmazonDynamoDBConfig
        {
            RetryMode = Amazon.Runtime.RequestRetryMode.Standard, MaxErrorRetry = 4, Timeout = TimeSpan.FromSeconds(10),
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        return (table, config, budget);
    }

    /// <summary>
    /// Opens <c>dynamodb://TABLE?region=R&amp;endpoint=URL</c>; the table must exist (Terraform makes it in production,
    /// <see cref="InitAsync"/> for local use): a run creates nothing. Credentials come from the SDK's default chain
    /// (the pod's role on EKS); with an explicit <c>endpoint</c> (a local DynamoDB-compatible server) and no AWS
    /// credentials in the environment, fixed local ones are used.
    /// </summary>
    public static DynamoDbStateStore Open(StoreUri uri, TimeProvider? time = null)
    {
        var store = Connect(uri, time);
        try
        {
            store.TranslateAsync(() => store._client.DescribeTableAsync(store._table)).GetAwaiter().GetResult();
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ResourceNotFoundException)
        {
            store.Dispose();
            throw new StoreUnavailableException(
                $"The DynamoDB table {store._table} does not exist: create it (OpsConsole.SparkJobs state init --state 'dynamodb://{store._table}?...').", exception);
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>Creates the table the URI names when it does not exist (on demand capacity) and waits until it is ACTIVE; idempotent.</summary>
    public static async Task InitAsync(StoreUri uri, CancellationToken cancellationToken = default)
    {
        using var store = Connect(uri, null);
        await store.EnsureTableAsync(cancellationToken);
    }

    private static DynamoDbStateStore Connect(StoreUri uri, TimeProvider? time)
    {
        var (table, config, budget) = Configure(uri);
        var local = config.ServiceURL is not null && Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is not { Length: > 0 };
        var client = local ? new AmazonDynamoDBClient(new Amazon.Runtime.BasicAWSCredentials("local", "local"), config) : new AmazonDynamoDBClient(config);
        return new DynamoDbStateStore(client, table, time, budget);
    }

    public async Task<Checkpoint?> GetCheckpointAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        await TranslateAsync(async () =>
        {
            var item = await GetAsync(Checkpoints, Key(source, stream), cancellationToken);
            return item is null ? null : ToCheckpoint(item);
        });

    public Task<IReadOnlyList<Checkpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default) =>
        TranslateAsync<IReadOnlyList<Checkpoint>>(async () => [.. (await QueryAsync(Checkpoints, forward: true, null, cancellationToken)).Select(ToCheckpoint)]);

    public Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        TranslateAsync<IReadOnlyList<CheckpointVersion>>(async () =>
        {
            await CompleteHistoryAsync(source, stream, cancellationToken);
            return [.. (await QueryAsync($"history#{Key(source, stream)}", forward: false, null, cancellationToken)).Select(ToVersion)];
        });

    public async Task<Checkpoint> WriteCheckpointAsync(string source, string stream, long? cursor, long expectedVersion, string updatedBy, string reason,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A checkpoint change needs a reason.", nameof(reason));
        }
        var current = await TranslateAsync(async () => await CompleteHistoryAsync(source, stream, cancellationToken));
        var actual = current is null ? 0 : Long(current, "version")!.Value;
        if (actual != expectedVersion)
        {
            throw new CheckpointConflictException(source, stream, expectedVersion, actual);
        }
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var version = expectedVersion + 1;
        var item = new Dictionary<string, AttributeValue>
        {
            [PartitionKey] = new(Checkpoints), [SortKey] = new(Key(source, stream)), ["source"] = new(source), ["stream"] = new(stream),
            ["version"] = Number(version), ["updated_at"] = Number(now.ToUnixTimeMilliseconds()), ["updated_by"] = new(updatedBy), ["reason"] = new(reason),
        };
        if (cursor is { } c)
        {
            item["cursor"] = Number(c);
        }
        if (current is not null && Long(current, "cursor") is { } previous)
        {
            item["previous_cursor"] = Number(previous);
        }
        try
        {
            await TranslateAsync(() => _client.PutItemAsync(new PutItemRequest
            {
                TableName = _table,
                Item = item,
                ConditionExpression = expectedVersion == 0 ? "attribute_not_exists(pk)" : "version = :expected",
                ExpressionAttributeValues = expectedVersion == 0 ? null : new Dictionary<string, AttributeValue> { [":expected"] = Number(expectedVersion) },
            }, cancellationToken));
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            var winner = await GetCheckpointAsync(source, stream, cancellationToken);
            throw new CheckpointConflictException(source, stream, expectedVersion, winner?.Version ?? 0);
        }
        await TranslateAsync(() => PutHistoryAsync(item, cancellationToken));
        return new Checkpoint(source, stream, cursor, version, now, updatedBy, reason);
    }

    /// <summary>
    /// The current checkpoint item, after making sure its version is in the history (a writer that stopped after
    /// writing the current item left it out). Null when the stream has no checkpoint.
    /// </summary>
    private async Task<Dictionary<string, AttributeValue>?> CompleteHistoryAsync(string source, string stream, CancellationToken cancellationToken)
    {
        var current = await GetAsync(Checkpoints, Key(source, stream), cancellationToken);
        if (current is not null && await GetAsync($"history#{Key(source, stream)}", Padded(Long(current, "version")!.Value), cancellationToken) is null)
        {
            await PutHistoryAsync(current, cancellationToken);
        }
        return current;
    }

    /// <summary>The history entry of a current checkpoint item (idempotent: the entry of a version never changes).</summary>
    private Task PutHistoryAsync(Dictionary<string, AttributeValue> current, CancellationToken cancellationToken)
    {
        var entry = new Dictionary<string, AttributeValue>(current)
        {
            [PartitionKey] = new($"history#{current["source"].S}/{current["stream"].S}"), [SortKey] = new(Padded(Long(current, "version")!.Value)),
        };
        return _client.PutItemAsync(new PutItemRequest { TableName = _table, Item = entry }, cancellationToken);
    }

    private static CheckpointVersion ToVersion(Dictionary<string, AttributeValue> item) =>
        new(Long(item, "version")!.Value, Long(item, "cursor"), Long(item, "previous_cursor"),
            DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "updated_at")!.Value), item["updated_by"].S, item["reason"].S);

    public async Task<StreamLease> AcquireLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeMilliseconds((now + duration).ToUnixTimeMilliseconds());
        try
        {
            await TranslateAsync(() => _client.PutItemAsync(new PutItemRequest
            {
                TableName = _table,
                Item = new Dictionary<string, AttributeValue>
                {
                    [PartitionKey] = new($"lease#{Key(source, stream)}"), [SortKey] = new("lease"), ["holder"] = new(holder), ["expires_at"] = Number(expires.ToUnixTimeMilliseconds()),
                    // Epoch seconds for DynamoDB's time to live: an abandoned lease's item goes a day after it expired.
                    [TtlAttribute] = Number(expires.ToUnixTimeSeconds() + 86_400),
                },
                // One conditional write: a free stream, an expired lease, or the caller's own; a live lease of someone else stays.
                ConditionExpression = "attribute_not_exists(pk) OR expires_at <= :now OR holder = :holder",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":now"] = Number(now.ToUnixTimeMilliseconds()), [":holder"] = new(holder) },
            }, cancellationToken));
            return new StreamLease(source, stream, holder, expires);
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            throw new StreamLeaseHeldException(await GetLeaseAsync(source, stream, cancellationToken) ?? new StreamLease(source, stream, "another holder", now));
        }
    }

    public async Task<bool> RenewLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        try
        {
            await TranslateAsync(() => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = ItemKey($"lease#{Key(source, stream)}", "lease"),
                UpdateExpression = "SET expires_at = :expires",
                ConditionExpression = "holder = :holder",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":expires"] = Number((_time.GetUtcNow() + duration).ToUnixTimeMilliseconds()), [":holder"] = new(holder),
                },
            }, cancellationToken));
            return true;
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task ReleaseLeaseAsync(string source, string stream, string holder, CancellationToken cancellationToken = default)
    {
        try
        {
            await TranslateAsync(() => _client.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = _table,
                Key = ItemKey($"lease#{Key(source, stream)}", "lease"),
                ConditionExpression = "holder = :holder",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":holder"] = new(holder) },
            }, cancellationToken));
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            // Someone else holds it now (or nobody): nothing of the caller's to release.
        }
    }

    public Task<StreamLease?> GetLeaseAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            var item = await GetAsync($"lease#{Key(source, stream)}", "lease", cancellationToken);
            var expires = item is null ? null : Long(item, "expires_at");
            return expires is { } at && at > _time.GetUtcNow().ToUnixTimeMilliseconds()
                ? new StreamLease(source, stream, item!["holder"].S, DateTimeOffset.FromUnixTimeMilliseconds(at))
                : null;
        });

    public Task RecordSliceAsync(string source, string stream, string run, CompletedSlice slice, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _client.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new Dictionary<string, AttributeValue>
            {
                [PartitionKey] = new($"slices#{Key(source, stream)}#{run}"), [SortKey] = new($"{Padded(slice.From)}-{Padded(slice.To)}"),
                ["from"] = Number(slice.From), ["to"] = Number(slice.To), ["records"] = Number(slice.Records),
            },
        }, cancellationToken));

    public Task<IReadOnlyList<CompletedSlice>> CompletedSlicesAsync(string source, string stream, string run, CancellationToken cancellationToken = default) =>
        TranslateAsync<IReadOnlyList<CompletedSlice>>(async () => [.. (await QueryAsync($"slices#{Key(source, stream)}#{run}", forward: true, null, cancellationToken))
            .Select(item => new CompletedSlice(Long(item, "from")!.Value, Long(item, "to")!.Value, Long(item, "records")!.Value))]);

    // A run's slice queue is one partition, an item per slice. DynamoDB Local stand-ins (dynalite) have no transactions,
    // so finishing a slice is ordered instead: its pieces are written first as "pending" under the finisher's name, the
    // slice is then finished by a conditional write naming that holder, and a pending piece counts as queued only once
    // its parent was finished by the same holder. A finisher that lost its lease leaves pieces nobody ever takes.
    private static string QueueKey(string source, string stream, string run) => $"queue#{Key(source, stream)}#{run}";

    private static string SliceKey(SliceRange slice) => $"{Padded(slice.From)}-{Padded(slice.To)}";

    public async Task QueueSlicesAsync(string source, string stream, string run, IReadOnlyList<SliceRange> slices, CancellationToken cancellationToken = default)
    {
        foreach (var slice in slices)
        {
            await PutSliceAsync(QueueKey(source, stream, run), slice, null, cancellationToken);
        }
    }

    /// <summary>Adds a queue item unless it exists; <paramref name="pending"/>: a piece of a slice that holder is finishing.</summary>
    private async Task PutSliceAsync(string queue, SliceRange slice, (string Parent, string Holder)? pending, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [PartitionKey] = new(queue), [SortKey] = new(SliceKey(slice)), ["from"] = Number(slice.From), ["to"] = Number(slice.To), ["done"] = Number(0),
            [TtlAttribute] = Number(_time.GetUtcNow().ToUnixTimeSeconds() + (7 * 86_400)),
        };
        if (pending is var (parent, holder))
        {
            (item["parent"], item["pending_for"]) = (new AttributeValue(parent), new AttributeValue(holder));
        }
        try
        {
            await TranslateAsync(() => _client.PutItemAsync(new PutItemRequest
            {
                TableName = _table, Item = item,
                // A pending piece may be written again by its finisher; a queued slice is never reset.
                ConditionExpression = pending is null ? "attribute_not_exists(pk)" : "attribute_not_exists(pk) OR (done = :zero AND attribute_exists(pending_for))",
                ExpressionAttributeValues = pending is null ? null : new Dictionary<string, AttributeValue> { [":zero"] = Number(0) },
            }, cancellationToken));
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            // Queued already.
        }
    }

    public async Task<SliceClaim?> ClaimSliceAsync(string source, string stream, string run, string holder, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var queue = QueueKey(source, stream, run);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var items = await TranslateAsync(() => QueryAsync(queue, forward: false, null, cancellationToken));
        var finishedBy = items.Where(i => Long(i, "done") == 1 && i.ContainsKey("finished_by")).ToDictionary(i => i[SortKey].S, i => i["finished_by"].S, StringComparer.Ordinal);
        foreach (var item in items.Where(i => Long(i, "done") == 0 && (!i.ContainsKey("holder") || Long(i, "lease_until") <= now)
                     && (!i.ContainsKey("pending_for") || finishedBy.GetValueOrDefault(i["parent"].S) == i["pending_for"].S)))
        {
            try
            {
                await TranslateAsync(() => _client.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = _table, Key = ItemKey(queue, item[SortKey].S),
                    UpdateExpression = "SET holder = :holder, lease_until = :until REMOVE pending_for",
                    ConditionExpression = "done = :zero AND (attribute_not_exists(holder) OR lease_until <= :now)",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":holder"] = new(holder), [":until"] = Number(now + (long)lease.TotalMilliseconds), [":zero"] = Number(0), [":now"] = Number(now),
                    },
                }, cancellationToken));
                return new SliceClaim(Long(item, "from")!.Value, Long(item, "to")!.Value, item.TryGetValue("holder", out var previous) ? previous.S : null);
            }
            catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
            {
                // Another executor took it a moment ago: try the next.
            }
        }
        return null;
    }

    public async Task<bool> RenewSliceAsync(string source, string stream, string run, SliceRange slice, string holder, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        try
        {
            await TranslateAsync(() => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table, Key = ItemKey(QueueKey(source, stream, run), SliceKey(slice)),
                UpdateExpression = "SET lease_until = :until",
                ConditionExpression = "holder = :holder AND done = :zero",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":until"] = Number((_time.GetUtcNow() + lease).ToUnixTimeMilliseconds()), [":holder"] = new(holder), [":zero"] = Number(0),
                },
            }, cancellationToken));
            return true;
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task<bool> FinishSliceAsync(string source, string stream, string run, SliceRange slice, string holder, CompletedSlice? done, IReadOnlyList<SliceRange> pieces,
        CancellationToken cancellationToken = default)
    {
        var queue = QueueKey(source, stream, run);
        foreach (var piece in pieces)
        {
            await PutSliceAsync(queue, piece, (SliceKey(slice), holder), cancellationToken);
        }
        try
        {
            await TranslateAsync(() => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table, Key = ItemKey(queue, SliceKey(slice)),
                UpdateExpression = "SET done = :one, finished_by = :holder REMOVE holder, lease_until",
                ConditionExpression = "holder = :holder AND done = :zero",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":holder"] = new(holder), [":zero"] = Number(0), [":one"] = Number(1) },
            }, cancellationToken));
        }
        catch (StoreUnavailableException exception) when (exception.InnerException is ConditionalCheckFailedException)
        {
            return false;
        }
        if (done is not null)
        {
            await RecordSliceAsync(source, stream, run, done, cancellationToken);
        }
        return true;
    }

    public async Task<SliceQueueStatus> SliceQueueAsync(string source, string stream, string run, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var items = await TranslateAsync(() => QueryAsync(QueueKey(source, stream, run), forward: true, null, cancellationToken));
        var finishedBy = items.Where(i => Long(i, "done") == 1 && i.ContainsKey("finished_by")).ToDictionary(i => i[SortKey].S, i => i["finished_by"].S, StringComparer.Ordinal);
        // Pieces a finisher wrote but never got to finish the parent of are not part of the queue.
        var queued = items.Where(i => !i.ContainsKey("pending_for") || finishedBy.GetValueOrDefault(i["parent"].S) == i["pending_for"].S).ToList();
        var records = (await CompletedSlicesAsync(source, stream, run, cancellationToken)).Sum(s => s.Records);
        return new SliceQueueStatus(queued.Count, queued.Count(i => Long(i, "done") == 1), queued.Count(i => Long(i, "done") == 0 && Long(i, "lease_until") > now), records);
    }

    public Task SaveQualityReportAsync(QualityReport report, CancellationToken cancellationToken = default)
    {
        var fields = new Dictionary<string, AttributeValue>
        {
            ["run_id"] = new(report.RunId), ["at"] = Number(report.At), ["outcome"] = new(report.Outcome), ["report"] = new(report.ToJson(MaxReportBytes)),
        };
        var byStream = $"reports#{Key(report.Source, report.Stream)}";
        return TranslateAsync(async () =>
        {
            // A rerun judges again: its earlier entry in the stream's list goes, so the list holds each run once.
            if (await GetAsync($"report#{report.RunId}", "report", cancellationToken) is { } earlier)
            {
                await _client.DeleteItemAsync(new DeleteItemRequest { TableName = _table, Key = ItemKey(byStream, earlier["stream_sk"].S) }, cancellationToken);
            }
            var streamKey = $"{Padded(report.At)}#{report.RunId}";
            await _client.PutItemAsync(new PutItemRequest
            {
                TableName = _table,
                Item = new Dictionary<string, AttributeValue>(fields) { [PartitionKey] = new($"report#{report.RunId}"), [SortKey] = new("report"), ["stream_sk"] = new(streamKey) },
            }, cancellationToken);
            await _client.PutItemAsync(new PutItemRequest
            {
                TableName = _table, Item = new Dictionary<string, AttributeValue>(fields) { [PartitionKey] = new(byStream), [SortKey] = new(streamKey) },
            }, cancellationToken);
        });
    }

    public Task<QualityReport?> GetQualityReportAsync(string runId, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () => await GetAsync($"report#{runId}", "report", cancellationToken) is { } item ? QualityReport.FromJson(item["report"].S) : null);

    public Task<IReadOnlyList<QualityReport>> QualityReportsAsync(string source, string stream, int limit, bool committedOnly = false,
        CancellationToken cancellationToken = default) =>
        TranslateAsync<IReadOnlyList<QualityReport>>(async () =>
        {
            var items = await QueryAsync($"reports#{Key(source, stream)}", forward: false, committedOnly ? "outcome <> :blocked" : null, cancellationToken, limit);
            return [.. items.Take(limit).Select(item => QualityReport.FromJson(item["report"].S))];
        });

    public void Dispose() => _client.Dispose();

    /// <summary>Creates the table when it does not exist (pay per request) and waits until it is ACTIVE.</summary>
    private Task EnsureTableAsync(CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            await DynamoDbTables.EnsureAsync(_client, _table, PartitionKey, SortKey, cancellationToken);
            return true;
        });

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(new GetItemRequest { TableName = _table, Key = ItemKey(pk, sk), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Every item of a partition in key order (or reversed), page after page; a filter keeps only matching items.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string pk, bool forward, string? filter, CancellationToken cancellationToken, int? limit = null)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var values = new Dictionary<string, AttributeValue> { [":pk"] = new(pk) };
            if (filter is not null)
            {
                values[":blocked"] = new(QualityOutcomes.Blocked);
            }
            var response = await _client.QueryAsync(new QueryRequest
            {
                TableName = _table, KeyConditionExpression = "pk = :pk", ExpressionAttributeValues = values, FilterExpression = filter,
                ScanIndexForward = forward, ConsistentRead = true, ExclusiveStartKey = start,
            }, cancellationToken);
            items.AddRange(response.Items);
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null && (limit is null || items.Count < limit));
        return items;
    }

    /// <summary>
    /// Runs a request under the retry budget; what fails for good leaves as <see cref="StoreUnavailableException"/>
    /// naming the table, with the SDK's exception inside (a failed condition is read from there).
    /// </summary>
    private Task<T> TranslateAsync<T>(Func<Task<T>> action) =>
        _retries.RunAsync($"The state store (DynamoDB table {_table})", _ => action(), CancellationToken.None);

    private Task TranslateAsync(Func<Task> action) => TranslateAsync(async () =>
    {
        await action();
        return true;
    });

    private static Checkpoint ToCheckpoint(Dictionary<string, AttributeValue> item) =>
        new(item["source"].S, item["stream"].S, Long(item, "cursor"), Long(item, "version")!.Value,
            DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "updated_at")!.Value), item["updated_by"].S, item["reason"].S);

    private static Dictionary<string, AttributeValue> ItemKey(string pk, string sk) => new() { [PartitionKey] = new(pk), [SortKey] = new(sk) };

    private static string Key(string source, string stream) => $"{source}/{stream}";

    private static string Padded(long value) => value.ToString("D20", CultureInfo.InvariantCulture);

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static long? Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;
}
