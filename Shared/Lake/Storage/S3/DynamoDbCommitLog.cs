using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsConsole.Shared.Aws;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage.S3;

/// <summary>One file claimed through the commit table: its folder, its name, the object holding its bytes until it is in place.</summary>
internal sealed record CommitEntry(string TablePath, string FileName, string TempKey, bool Complete);

/// <summary>
/// The DynamoDB table that gives S3 its put-if-absent, with the item layout of Delta Lake's S3DynamoDBLogStore: key
/// <c>tablePath</c> (the file's folder as <c>s3://bucket/folder</c>) and <c>fileName</c>; <c>tempPath</c> (the key
/// of the object holding the bytes), <c>complete</c> (<c>"true"</c>/<c>"false"</c>) and, once complete,
/// <c>expireTime</c> (epoch seconds, the table's time-to-live attribute). A claim is a put conditional on
/// <c>attribute_not_exists(fileName)</c>: of racing writers exactly one claims a name.
/// </summary>
internal sealed class DynamoDbCommitLog(IAmazonDynamoDB client, string table, RetryBudget retries) : IDisposable
{
    public const string TablePathAttribute = "tablePath";
    public const string FileNameAttribute = "fileName";
    public const string TempPathAttribute = "tempPath";
    public const string CompleteAttribute = "complete";

    /// <summary>The time-to-live attribute: a complete entry is kept a day, then DynamoDB removes it.</summary>
    public const string ExpireTimeAttribute = "expireTime";

    private static readonly TimeSpan Keep = TimeSpan.FromDays(1);

    public string Table => table;

    /// <summary>Claims <paramref name="fileName"/> in <paramref name="tablePath"/>; false when an entry exists already.</summary>
    public Task<bool> TryClaimAsync(string tablePath, string fileName, string tempKey, CancellationToken cancellationToken) =>
        retries.RunAsync($"Claiming {tablePath}/{fileName} in the DynamoDB commit table {table}", async token =>
        {
            try
            {
                await client.PutItemAsync(new PutItemRequest
                {
                    TableName = table,
                    Item = new()
                    {
                        [TablePathAttribute] = new(tablePath), [FileNameAttribute] = new(fileName), [TempPathAttribute] = new(tempKey), [CompleteAttribute] = new("false"),
                    },
                    ConditionExpression = $"attribute_not_exists({FileNameAttribute})",
                }, token);
                return true;
            }
            catch (ConditionalCheckFailedException)
            {
                return false;
            }
        }, cancellationToken);

    public Task<CommitEntry?> GetAsync(string tablePath, string fileName, CancellationToken cancellationToken) =>
        retries.RunAsync($"Reading {tablePath}/{fileName} from the DynamoDB commit table {table}", async token =>
        {
            var response = await client.GetItemAsync(new GetItemRequest { TableName = table, Key = Key(tablePath, fileName), ConsistentRead = true }, token);
            return response.Item is { Count: > 0 } item ? ToEntry(item) : null;
        }, cancellationToken);

    /// <summary>The entry with the greatest file name in <paramref name="tablePath"/> (Delta's commit names sort by version).</summary>
    public Task<CommitEntry?> LatestAsync(string tablePath, CancellationToken cancellationToken) =>
        retries.RunAsync($"Reading the latest entry of {tablePath} from the DynamoDB commit table {table}", async token =>
        {
            var response = await client.QueryAsync(new QueryRequest
            {
                TableName = table,
                KeyConditionExpression = "#t = :t",
                ExpressionAttributeNames = new() { ["#t"] = TablePathAttribute },
                ExpressionAttributeValues = new() { [":t"] = new(tablePath) },
                ScanIndexForward = false,
                Limit = 1,
                ConsistentRead = true,
            }, token);
            return response.Items is { Count: > 0 } items ? ToEntry(items[0]) : null;
        }, cancellationToken);

    public Task CompleteAsync(CommitEntry entry, DateTimeOffset now, CancellationToken cancellationToken) =>
        retries.RunAsync($"Completing {entry.TablePath}/{entry.FileName} in the DynamoDB commit table {table}", token => client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key(entry.TablePath, entry.FileName),
            UpdateExpression = "SET #c = :true, #e = :expire",
            ExpressionAttributeNames = new() { ["#c"] = CompleteAttribute, ["#e"] = ExpireTimeAttribute },
            ExpressionAttributeValues = new()
            {
                [":true"] = new("true"), [":expire"] = new() { N = (now + Keep).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            },
        }, token), cancellationToken);

    /// <summary>Fails with advice when the table is missing: a run creates nothing.</summary>
    public Task EnsureExistsAsync(string lake, CancellationToken cancellationToken) =>
        retries.RunAsync($"Opening the DynamoDB commit table {table}", async token =>
        {
            try
            {
                await client.DescribeTableAsync(table, token);
            }
            catch (ResourceNotFoundException exception)
            {
                throw new StoreUnavailableException(
                    $"The DynamoDB commit table {table} does not exist: create it (Terraform, or OpsConsole.SparkJobs lake init --lake '{lake}?...').", exception);
            }
        }, cancellationToken);

    /// <summary>Creates the table (on-demand capacity) unless it exists, and turns on time to live on <see cref="ExpireTimeAttribute"/>; idempotent.</summary>
    public Task CreateAsync(CancellationToken cancellationToken) =>
        retries.RunAsync($"Creating the DynamoDB commit table {table}", async token =>
        {
            await DynamoDbTables.EnsureAsync(client, table, TablePathAttribute, FileNameAttribute, token);
            await EnableTimeToLiveAsync(token);
        }, cancellationToken);

    private async Task EnableTimeToLiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = table, TimeToLiveSpecification = new() { AttributeName = ExpireTimeAttribute, Enabled = true },
            }, cancellationToken);
        }
        catch (AmazonDynamoDBException exception) when (exception.ErrorCode is "UnknownOperationException" || exception.Message.Contains("already enabled", StringComparison.OrdinalIgnoreCase))
        {
            // A local DynamoDB-compatible server without time to live, or a table that has it: entries then stay (they are small).
        }
    }

    public void Dispose() => client.Dispose();

    private static Dictionary<string, AttributeValue> Key(string tablePath, string fileName) =>
        new() { [TablePathAttribute] = new(tablePath), [FileNameAttribute] = new(fileName) };

    private static CommitEntry ToEntry(Dictionary<string, AttributeValue> item) =>
        new(item[TablePathAttribute].S, item[FileNameAttribute].S, item[TempPathAttribute].S, item.GetValueOrDefault(CompleteAttribute)?.S == "true");
}
