using System.Buffers;
using System.Text;
using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.SparkJobs.Transform;

/// <summary>
/// Turns source objects into typed rows: typed columns from their fields (nested objects such as
/// <c>metadata</c> as JSON strings), every other field into <c>_extra</c> (JSON), unknown field names counted for
/// the report. A record whose required fields (<c>id</c>, <c>created</c>) are missing or of the wrong type is
/// rejected with the reason, never dropped silently. Workers may add records concurrently: each record is turned
/// into a row on the caller's thread in one pass over its fields, and only the append is serialized, so the rows
/// of one caller keep their order.
/// </summary>
public sealed class RecordTransformer(StreamSchema schema, string runId, DateTimeOffset ingestedAt)
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_extra;

    private readonly Lock _lock = new();
    private readonly List<object?[]> _rows = [];
    private readonly Dictionary<string, int> _typedIndex = schema.Typed.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unknownFields = new(StringComparer.Ordinal);
    private readonly List<string> _rejected = [];
    private readonly object _ingestedAt = (ingestedAt - DateTimeOffset.UnixEpoch).Ticks / 10;
    private long _rejectedCount;
    private long _count;

    public StreamSchema Schema => schema;

    /// <summary>Records that became rows (kept or not).</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The rows, in the order they were added (per caller). Read it once adding is over.</summary>
    public IReadOnlyList<object?[]> Rows => _rows;

    /// <summary>Unknown field names and how many records carried each.</summary>
    public IReadOnlyDictionary<string, long> UnknownFields => _unknownFields;

    /// <summary>Why records were rejected (capped at 100 reasons; <see cref="RejectedCount"/> counts all).</summary>
    public IReadOnlyList<string> Rejected => _rejected;

    public long RejectedCount => Interlocked.Read(ref _rejectedCount);

    /// <summary>Adds one source object to <see cref="Rows"/>; false (and a reason in <see cref="Rejected"/>) when it cannot become a row.</summary>
    public bool Add(JsonElement record)
    {
        if (!TryTransform(record, out var row))
        {
            return false;
        }
        lock (_lock)
        {
            _rows.Add(row);
        }
        return true;
    }

    /// <summary>
    /// One source object as a row, counted (unknown fields, rejections) but not kept; false (and a reason in
    /// <see cref="Rejected"/>) when it cannot become a row.
    /// </summary>
    public bool TryTransform(JsonElement record, out object?[] row) => TryTransform(record, out row, out _);

    /// <summary>As <see cref="TryTransform(JsonElement, out object?[])"/>, also giving the record's unknown field names (null: none).</summary>
    public bool TryTransform(JsonElement record, out object?[] row, out IReadOnlyList<string>? unknownFields)
    {
        row = [];
        unknownFields = null;
        if (record.ValueKind != JsonValueKind.Object)
        {
            return Reject($"a {record.ValueKind} instead of an object");
        }
        var values = new object?[schema.Columns.Count];
        var extra = t_extra ??= new ArrayBufferWriter<byte>(2048);
        extra.ResetWrittenCount();
        List<string>? unknown = null;
        using (var writer = new Utf8JsonWriter(extra))
        {
            writer.WriteStartObject();
            foreach (var property in record.EnumerateObject())
            {
                var value = property.Value;
                if (_typedIndex.TryGetValue(property.Name, out var index))
                {
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }
                    var column = schema.Typed[index];
                    if (TryConvert(column.Type, value, out var converted))
                    {
                        values[index] = converted;
                        continue;
                    }
                    if (!column.Nullable)
                    {
                        return Reject($"{Describe(record)}: field {column.Name} is a {value.ValueKind}, not a {column.Type}");
                    }
                    // A wrongly typed optional field keeps its value in _extra instead of being lost.
                }
                else if (!schema.KnownUntyped.Contains(property.Name))
                {
                    (unknown ??= []).Add(property.Name);
                }
                property.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        if (MissingRequired(values) is { } missing)
        {
            return Reject($"{Describe(record)}: required field {missing} is missing");
        }
        schema.FillTimestamps(values);
        values[schema.ExtraIndex] = Encoding.UTF8.GetString(extra.WrittenSpan);
        values[schema.ExtraIndex + 1] = runId;
        values[schema.ExtraIndex + 2] = _ingestedAt;
        if (unknown is not null)
        {
            CountUnknown(unknown);
        }
        row = values;
        unknownFields = unknown;
        Interlocked.Increment(ref _count);
        return true;
    }

    /// <summary>The first required column <paramref name="values"/> has no value for, or null.</summary>
    private string? MissingRequired(object?[] values)
    {
        for (var c = 0; c < schema.Typed.Count; c++)
        {
            if (values[c] is null && !schema.Typed[c].Nullable)
            {
                return schema.Typed[c].Name;
            }
        }
        return null;
    }

    private void CountUnknown(List<string> unknown)
    {
        lock (_lock)
        {
            foreach (var name in unknown)
            {
                _unknownFields[name] = _unknownFields.GetValueOrDefault(name) + 1;
            }
        }
    }

    /// <summary>The rows so far, by column, as a Parquet table.</summary>
    public ParquetTable ToTable() => Tables.FromRows(schema.Columns, _rows);

    private bool Reject(string reason)
    {
        Interlocked.Increment(ref _rejectedCount);
        lock (_lock)
        {
            if (_rejected.Count < 100)
            {
                _rejected.Add(reason);
            }
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
