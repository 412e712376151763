using System.Buffers;
using System.Text;
using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.SparkJobs.Transform;

/// <summary>
/// Turns source objects into typed rows: typed columns from their fields (nested objects such as
/// <c>metadata</c> as JSON strings), every other field into <c>_extra</c> (JSON), unknown field names counted for
/// the report. A record whose required fields (<c>id</c>, <c>created</c>) are missing or of the wrong type is
/// rejected with the reason, never dropped silently.
/// </summary>
public sealed class RecordTransformer(StreamSchema schema, string runId, DateTimeOffset ingestedAt)
{
    private readonly List<object?[]> _rows = [];
    private readonly Dictionary<string, int> _typedIndex = schema.Typed.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unknownFields = new(StringComparer.Ordinal);
    private readonly List<string> _rejected = [];

    public int Count => _rows.Count;

    /// <summary>Unknown field names and how many records carried each.</summary>
    public IReadOnlyDictionary<string, long> UnknownFields => _unknownFields;

    /// <summary>Why records were rejected (capped at 100 reasons; <see cref="RejectedCount"/> counts all).</summary>
    public IReadOnlyList<string> Rejected => _rejected;

    public long RejectedCount { get; private set; }

    /// <summary>Adds one source object; false (and a reason in <see cref="Rejected"/>) when it cannot become a row.</summary>
    public bool Add(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return Reject($"a {record.ValueKind} instead of an object");
        }
        var row = new object?[schema.Columns.Count];
        for (var c = 0; c < schema.Typed.Count; c++)
        {
            var column = schema.Typed[c];
            if (!record.TryGetProperty(column.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (!column.Nullable)
                {
                    return Reject($"{Describe(record)}: required field {column.Name} is missing");
                }
                continue;
            }
            if (!TryConvert(column.Type, value, out var converted))
            {
                if (!column.Nullable)
                {
                    return Reject($"{Describe(record)}: field {column.Name} is a {value.ValueKind}, not a {column.Type}");
                }
                // A wrongly typed optional field keeps its value in _extra instead of being lost.
                converted = null;
            }
            row[c] = converted;
        }

        var extra = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(extra))
        {
            writer.WriteStartObject();
            foreach (var property in record.EnumerateObject())
            {
                var typed = _typedIndex.TryGetValue(property.Name, out var index);
                if (typed && row[index] is not null)
                {
                    continue;
                }
                if (!typed && !schema.KnownUntyped.Contains(property.Name))
                {
                    _unknownFields[property.Name] = _unknownFields.GetValueOrDefault(property.Name) + 1;
                }
                if (!typed || property.Value.ValueKind != JsonValueKind.Null)
                {
                    property.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        row[schema.Typed.Count] = Encoding.UTF8.GetString(extra.WrittenSpan);
        row[schema.Typed.Count + 1] = runId;
        row[schema.Typed.Count + 2] = (ingestedAt - DateTimeOffset.UnixEpoch).Ticks / 10;
        _rows.Add(row);
        return true;
    }

    /// <summary>The rows so far, by column, as a Parquet table.</summary>
    public ParquetTable ToTable() => Tables.FromRows(schema.Columns, _rows);

    private bool Reject(string reason)
    {
        RejectedCount++;
        if (_rejected.Count < 100)
        {
            _rejected.Add(reason);
        }
        return false;
    }

    private static string Describe(JsonElement record) =>
        record.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? $"record {id.GetString()}" : "a record without an id";

    private static bool TryConvert(ParquetColumnType type, JsonElement value, out object? converted)
    {
        converted = null;
        switch (type)
        {
            case ParquetColumnType.String:
                converted = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
                return true;
            case ParquetColumnType.Int64 when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number):
                converted = number;
                return true;
            case ParquetColumnType.Double when value.ValueKind == JsonValueKind.Number:
                converted = value.GetDouble();
                return true;
            case ParquetColumnType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                converted = value.GetBoolean();
                return true;
            case ParquetColumnType.TimestampMicros when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds):
                converted = seconds * 1_000_000;
                return true;
            default:
                return false;
        }
    }
}
