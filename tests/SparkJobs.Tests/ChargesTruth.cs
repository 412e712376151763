using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.Shared.Lake.Storage;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>The charges table in a lake against the Sandbox's truth: every id once, and every field the truth carries equal.</summary>
internal static class ChargesTruth
{
    /// <summary>The Sandbox's charges created before <paramref name="cursor"/>, as it holds them now.</summary>
    public static async Task<List<JsonElement>> ReadAsync(HttpClient admin, long cursor)
    {
        using var json = JsonDocument.Parse(await admin.GetStringAsync(new Uri($"/_sandbox/truth/charges?created[lt]={cursor}", UriKind.Relative)));
        return [.. json.RootElement.GetProperty("objects").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>
    /// Asserts the table in the lake at <paramref name="lake"/> (a folder or a store URI) equals the truth; returns the
    /// truth by id. <paramref name="explain"/> adds context to a failure.
    /// </summary>
    public static async Task<Dictionary<string, JsonElement>> AssertTableEqualsAsync(HttpClient admin, string lake, long cursor, Func<string, string>? explain = null)
    {
        explain ??= message => message;
        var truth = await ReadAsync(admin, cursor);
        var storage = LakeStorages.Open(lake);
        using var disposing = storage as IDisposable;
        var table = new LakeTable(storage, "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
        var id = table.IndexOf("id");
        var byId = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var row in await table.ReadAllAsync())
        {
            Assert.True(byId.TryAdd((string)row[id]!, row), explain($"{row[id]} is in the table twice"));
        }
        Assert.Equal(truth.Count, byId.Count);
        var columns = StreamSchema.Charges.Columns
            .Where(c => c.Type is ParquetColumnType.String or ParquetColumnType.Int64 or ParquetColumnType.Boolean && !c.Name.StartsWith('_') && c.Name != "metadata")
            .ToList();
        foreach (var expected in truth)
        {
            Assert.True(byId.TryGetValue(expected.GetProperty("id").GetString()!, out var row), explain($"{expected.GetProperty("id")} is missing"));
            // The truth carries the fields that change (amount_refunded, refunded, status) besides id, created, amount.
            foreach (var column in columns.Where(c => expected.TryGetProperty(c.Name, out _)))
            {
                var value = expected.GetProperty(column.Name);
                object? want = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetInt64(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => null,
                };
                Assert.True(Equals(want, row[table.IndexOf(column.Name)]), explain($"{row[id]}.{column.Name}: table {row[table.IndexOf(column.Name)]}, source {want}"));
            }
        }
        return truth.ToDictionary(t => t.GetProperty("id").GetString()!);
    }
}
