using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.Shared.Lake.Delta;

/// <summary>Delta's schema string and file statistics for the lake's column types.</summary>
public static class DeltaSchema
{
    /// <summary>The <c>schemaString</c> of a table: its data columns, then the (string) partition columns.</summary>
    public static string SchemaString(IReadOnlyList<ParquetColumn> columns, IReadOnlyList<string> partitionColumns)
    {
        var fields = columns.Select(c => new Dictionary<string, object>
        {
            ["name"] = c.Name,
            ["type"] = TypeName(c.Type),
            ["nullable"] = c.Nullable,
            ["metadata"] = new Dictionary<string, object>(),
        }).Concat(partitionColumns.Select(p => new Dictionary<string, object>
        {
            ["name"] = p,
            ["type"] = "string",
            ["nullable"] = false,
            ["metadata"] = new Dictionary<string, object>(),
        }));
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = "struct", ["fields"] = fields });
    }

    /// <summary>A data file's <c>stats</c>: numRecords and, per column, min, max and null count.</summary>
    public static string Stats(ParquetTable table)
    {
        var min = new Dictionary<string, object?>();
        var max = new Dictionary<string, object?>();
        var nulls = new Dictionary<string, long>();
        for (var c = 0; c < table.Columns.Count; c++)
        {
            var column = table.Columns[c];
            var present = table.Values[c].Cast<object?>().Where(v => v is not null).ToList();
            nulls[column.Name] = table.RowCount - present.Count;
            if (present.Count == 0 || column.Type == ParquetColumnType.Boolean)
            {
                continue;
            }
            switch (column.Type)
            {
                case ParquetColumnType.String:
                    min[column.Name] = present.Cast<string>().Min(StringComparer.Ordinal);
                    max[column.Name] = present.Cast<string>().Max(StringComparer.Ordinal);
                    break;
                case ParquetColumnType.Double:
                    min[column.Name] = present.Cast<double>().Min();
                    max[column.Name] = present.Cast<double>().Max();
                    break;
                case ParquetColumnType.TimestampMicros:
                    min[column.Name] = Timestamp(present.Cast<long>().Min());
                    max[column.Name] = Timestamp(present.Cast<long>().Max());
                    break;
                default:
                    min[column.Name] = present.Cast<long>().Min();
                    max[column.Name] = present.Cast<long>().Max();
                    break;
            }
        }
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["numRecords"] = table.RowCount,
            ["minValues"] = min,
            ["maxValues"] = max,
            ["nullCount"] = nulls,
        });
    }

    private static string TypeName(ParquetColumnType type) => type switch
    {
        ParquetColumnType.Boolean => "boolean",
        ParquetColumnType.Double => "double",
        ParquetColumnType.String => "string",
        ParquetColumnType.TimestampMicros => "timestamp",
        _ => "long",
    };

    private static string Timestamp(long micros) =>
        DateTimeOffset.FromUnixTimeMilliseconds(micros / 1000).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
