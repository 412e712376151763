using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Aws;

/// <summary>
/// Creates a DynamoDB table for local use (<c>state init</c>, <c>lake init</c>; production's come from Terraform):
/// string partition and sort keys, on-demand capacity, waited for until ACTIVE; a table that exists is left as it is.
/// Compiled into the lake and the state projects, as <see cref="RetryBudget"/> is.
/// </summary>
internal static class DynamoDbTables
{
    public static async Task EnsureAsync(IAmazonDynamoDB client, string table, string partitionKey, string sortKey, CancellationToken cancellationToken)
    {
        try
        {
            await client.DescribeTableAsync(table, cancellationToken);
        }
        catch (ResourceNotFoundException)
        {
            await client.CreateTableAsync(new CreateTableRequest
            {
                TableName = table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new(partitionKey, ScalarAttributeType.S), new(sortKey, ScalarAttributeType.S)],
                KeySchema = [new(partitionKey, KeyType.HASH), new(sortKey, KeyType.RANGE)],
            }, cancellationToken);
        }
        for (var wait = 0; (await client.DescribeTableAsync(table, cancellationToken)).Table.TableStatus != TableStatus.ACTIVE; wait++)
        {
            if (wait == 600)
            {
                throw new StoreUnavailableException($"The DynamoDB table {table} did not become ACTIVE within a minute.");
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
