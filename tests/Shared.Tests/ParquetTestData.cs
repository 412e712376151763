using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.Shared.Tests;

/// <summary>A table shaped like a charges table: every column type, nulls, a low- and a high-cardinality string.</summary>
internal static class ParquetTestData
{
    public static readonly ParquetColumn[] Columns =
    [
        new("id", ParquetColumnType.String, Nullable: false),
        new("amount", ParquetColumnType.Int64),
        new("refunded", ParquetColumnType.Boolean),
        new("score", ParquetColumnType.Double),
        new("currency", ParquetColumnType.String),
        new("created", ParquetColumnType.TimestampMicros),
        new("description", ParquetColumnType.String),
    ];

    public static ParquetTable Table(int rows, int seed = 7)
    {
        var random = new Random(seed);
        string[] currencies = ["usd", "eur", "gbp", "jpy", "chf"];
        var ids = new string?[rows];
        var amounts = new long?[rows];
        var refunded = new bool?[rows];
        var scores = new double?[rows];
        var currency = new string?[rows];
        var created = new long?[rows];
        var descriptions = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = $"ch_{i:D8}";
            amounts[i] = i % 17 == 0 ? null : random.NextInt64(-5_000, 5_000_000);
            refunded[i] = i % 11 == 0 ? null : random.Next(2) == 0;
            scores[i] = i % 13 == 0 ? null : Math.Round(random.NextDouble() * 1000, 3);
            currency[i] = i % 19 == 0 ? null : currencies[random.Next(currencies.Length)];
            created[i] = 1_790_000_000_000_000L + (i * 1_000_003L);
            descriptions[i] = i % 7 == 0 ? null : $"Order {random.Next()} · café ☕ {i}";
        }
        return new ParquetTable(Columns, [ids, amounts, refunded, scores, currency, created, descriptions]);
    }
}
