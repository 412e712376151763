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

    /// <summary>
    /// A table's metadata with its schema grown to <paramref name="columns"/>, or null when it already has them. Only
    /// nullable columns may be added (files written before them read them as null); a column that is gone or changed
    /// type is refused naming it (InvalidDataException), since files already written hold it.
    /// </summary>
    public static DeltaMetadata? Evolve(DeltaMetadata metadata, IReadOnlyList<ParquetColumn> columns)
    {
        var updated = SchemaString(columns, metadata.PartitionColumns);
        if (updated == metadata.SchemaString)
        {
            return null;
        }
        var wanted = Fields(updated);
        var current = Fields(metadata.SchemaString);
        foreach (var (name, (type, _)) in current)
        {
            if (!wanted.TryGetValue(name, out var now))
            {
                throw new InvalidDataException($"The table has column {name}, which the stream's schema no longer has: columns are only added.");
            }
            if (now.Type != type)
            {
                throw new InvalidDataException($"Column {name} is {type} in the table but {now.Type} in the stream's schema: a column keeps its type.");
            }
            if (current[name].Nullable && !now.Nullable)
            {
                throw new InvalidDataException($"Column {name} is nullable in the table but not in the stream's schema: earlier files may hold nulls in it.");
            }
        }
        if (wanted.FirstOrDefault(w => !current.ContainsKey(w.Key) && !w.Value.Nullable) is { Key: { } required })
        {
            throw new InvalidDataException($"Column {required} is new and not nullable: the table's earlier files cannot hold it, so a new column must be nullable.");
        }
        return metadata with { SchemaString = updated };
    }

    /// <summary>
    /// The data columns a table's schema names (the partition columns, held in the paths, left out), in order: what a
    /// reader that knows no stream (maintenance, the console) reads the table's files with.
    /// InvalidDataException naming the column for a type the lake does not write.
    /// </summary>
    public static IReadOnlyList<ParquetColumn> Columns(DeltaMetadata metadata)
    {
        using var schema = JsonDocument.Parse(metadata.SchemaString);
        var columns = new List<ParquetColumn>();
        foreach (var field in schema.RootElement.GetProperty("fields").EnumerateArray())
        {
            var name = field.GetProperty("name").GetString()!;
            if (metadata.PartitionColumns.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }
            var type = field.GetProperty("type").ToString() switch
            {
                "boolean" => ParquetColumnType.Boolean,
                "double" => ParquetColumnType.Double,
                "string" => ParquetColumnType.String,
                "timestamp" => ParquetColumnType.TimestampMicros,
                "long" => ParquetColumnType.Int64,
                var other => throw new InvalidDataException($"Column {name} has type {other}, which this lake does not read."),
            };
            columns.Add(new ParquetColumn(name, type, field.GetProperty("nullable").GetBoolean()));
        }
        return columns;
    }

    private static Dictionary<string, (string Type, bool Nullable)> Fields(string schemaString)
    {
        using var schema = JsonDocument.Parse(schemaString);
        return schema.RootElement.GetProperty("fields").EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => (f.GetProperty("type").ToString(), f.GetProperty("nullable").GetBoolean()),
            StringComparer.Ordinal);
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

    /// <summary>The Delta schema's name of a column type.</summary>
    public static string TypeName(ParquetColumnType type) => type switch
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
