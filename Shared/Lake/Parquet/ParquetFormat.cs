using System.Runtime.InteropServices;
using Parquet;
using Parquet.Schema;

namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>
/// Parquet through Parquet.Net: Snappy pages, row groups of <see cref="ParquetWriteOptions.RowGroupRows"/> rows,
/// min/max/null-count statistics per column chunk, timestamps as INT64 TIMESTAMP(MICROS, UTC). Console.Server and
/// SparkJobs use this one. Parquet.Net has no page-size setting, and through this column API it wrote strings plain,
/// not dictionary-encoded, even with a dictionary hint (ParquetFormatTests no longer asks for a dictionary).
/// </summary>
public sealed class ParquetFormat(ParquetWriteOptions? options = null) : ITableFormat
{
    private static readonly ParquetOptions WriteOptions = new() { CompressionMethod = CompressionMethod.Snappy };
    private readonly ParquetWriteOptions _options = options ?? new ParquetWriteOptions();

    public string Extension => ".parquet";

    public async Task WriteAsync(Stream output, ParquetTable table, CancellationToken cancellationToken = default)
    {
        for (var c = 0; c < table.Columns.Count; c++)
        {
            if (!table.Columns[c].Nullable && Array.IndexOf(table.Values[c], null) is var row and >= 0)
            {
                throw new ArgumentException($"Column {table.Columns[c].Name} is not nullable but row {row} has no value.", nameof(table));
            }
        }
        var fields = table.Columns.Select(Field).ToArray();
        // Parquet.Net needs a seekable stream: for any other the file is built in memory and copied.
        using var buffer = output.CanSeek ? null : new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), buffer ?? output, WriteOptions, cancellationToken: cancellationToken))
        {
            for (var first = 0; first < table.RowCount; first += _options.RowGroupRows)
            {
                var rows = Math.Min(_options.RowGroupRows, table.RowCount - first);
                using var group = writer.CreateRowGroup();
                for (var c = 0; c < fields.Length; c++)
                {
                    await WriteColumnAsync(group, fields[c], table.Columns[c], table.Values[c], first, rows, cancellationToken);
                }
            }
        }
        if (buffer is not null)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(output, cancellationToken);
        }
    }

    public async Task<ParquetTable> ReadAsync(ReadOnlyMemory<byte> file, IReadOnlyList<ParquetColumn>? columns = null, IReadOnlyCollection<string>? only = null,
        CancellationToken cancellationToken = default)
    {
        using var stream = MemoryMarshal.TryGetArray(file, out var segment) ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(file.ToArray(), writable: false);
        try
        {
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
            var present = reader.Schema.GetDataFields();
            if (reader.Schema.Fields.Count != present.Length || present.Any(f => f.IsArray))
            {
                throw new InvalidDataException("The file has nested or repeated columns; only flat schemas are read.");
            }
            var byName = present.ToDictionary(f => f.Name, StringComparer.Ordinal);
            var wanted = columns ?? [.. present.Select(Column)];
            var total = checked((int)reader.Metadata!.NumRows);
            var values = new Array[wanted.Count];
            for (var c = 0; c < wanted.Count; c++)
            {
                values[c] = Array.CreateInstance(ParquetTable.ArrayType(wanted[c].Type).GetElementType()!, total);
                if (byName.TryGetValue(wanted[c].Name, out var field) && Column(field) is var stored && stored.Type != wanted[c].Type)
                {
                    throw new InvalidDataException($"Column {wanted[c].Name} is {stored.Type} in the file, not {wanted[c].Type}.");
                }
            }
            var offset = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                for (var c = 0; c < wanted.Count; c++)
                {
                    if ((only is null || only.Contains(wanted[c].Name)) && byName.TryGetValue(wanted[c].Name, out var field))
                    {
                        await ReadColumnAsync(group, field, wanted[c].Type, values[c], offset, rows, cancellationToken);
                    }
                }
                offset += rows;
            }
            if (offset != total)
            {
                throw new InvalidDataException($"The footer says {total} rows but the row groups hold {offset}.");
            }
            return new ParquetTable(wanted, values);
        }
        catch (Exception exception) when (exception is not (InvalidDataException or OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException($"Not a Parquet file this reader reads: {exception.Message}", exception);
        }
    }

    private static DataField Field(ParquetColumn column) => column.Type switch
    {
        ParquetColumnType.Boolean => new DataField<bool>(column.Name, column.Nullable),
        ParquetColumnType.Int64 => new DataField<long>(column.Name, column.Nullable),
        ParquetColumnType.Double => new DataField<double>(column.Name, column.Nullable),
        ParquetColumnType.String => new DataField<string>(column.Name, column.Nullable),
        _ => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: column.Nullable),
    };

    /// <summary>A file's column as one of the lake's types; InvalidDataException for any other type.</summary>
    private static ParquetColumn Column(DataField field)
    {
        var type = field.ClrType == typeof(bool) ? ParquetColumnType.Boolean
            : field.ClrType == typeof(long) ? ParquetColumnType.Int64
            : field.ClrType == typeof(double) ? ParquetColumnType.Double
            : field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>) ? ParquetColumnType.String
            : field.ClrType == typeof(DateTime) ? ParquetColumnType.TimestampMicros
            : throw new InvalidDataException($"Column {field.Name} holds {field.ClrType.Name} values; the lake's columns are boolean, int64, double, string and timestamp.");
        return new ParquetColumn(field.Name, type, field.IsNullable);
    }

    private static async Task WriteColumnAsync(ParquetRowGroupWriter group, DataField field, ParquetColumn column, Array values, int first, int rows,
        CancellationToken cancellationToken)
    {
        switch (column.Type)
        {
            case ParquetColumnType.String:
                await group.WriteAsync(field, new ArraySegment<string>((string[])values, first, rows), null);
                break;
            case ParquetColumnType.Boolean:
                await WriteValuesAsync(group, field, column.Nullable, (bool?[])values, first, rows, cancellationToken);
                break;
            case ParquetColumnType.Double:
                await WriteValuesAsync(group, field, column.Nullable, (double?[])values, first, rows, cancellationToken);
                break;
            case ParquetColumnType.Int64:
                await WriteValuesAsync(group, field, column.Nullable, (long?[])values, first, rows, cancellationToken);
                break;
            default:
                var times = new DateTime?[rows];
                var micros = (long?[])values;
                for (var r = 0; r < rows; r++)
                {
                    times[r] = micros[first + r] is { } value ? FromMicros(value) : null;
                }
                await WriteValuesAsync(group, field, column.Nullable, times, 0, rows, cancellationToken);
                break;
        }
    }

    private static async Task WriteValuesAsync<T>(ParquetRowGroupWriter group, DataField field, bool nullable, T?[] values, int first, int rows,
        CancellationToken cancellationToken) where T : struct
    {
        if (nullable)
        {
            await group.WriteAsync(field, new ReadOnlyMemory<T?>(values, first, rows), null, null, cancellationToken);
            return;
        }
        var required = new T[rows];
        for (var r = 0; r < rows; r++)
        {
            required[r] = values[first + r]!.Value;
        }
        await group.WriteAsync(field, new ReadOnlyMemory<T>(required), null, null, cancellationToken);
    }

    private static async Task ReadColumnAsync(ParquetRowGroupReader group, DataField field, ParquetColumnType type, Array values, int offset, int rows,
        CancellationToken cancellationToken)
    {
        switch (type)
        {
            case ParquetColumnType.String:
                await group.ReadAsync(field, new Memory<string?>((string?[])values, offset, rows), null, cancellationToken);
                break;
            case ParquetColumnType.Boolean:
                await ReadValuesAsync(group, field, (bool?[])values, offset, rows, cancellationToken);
                break;
            case ParquetColumnType.Double:
                await ReadValuesAsync(group, field, (double?[])values, offset, rows, cancellationToken);
                break;
            case ParquetColumnType.Int64:
                await ReadValuesAsync(group, field, (long?[])values, offset, rows, cancellationToken);
                break;
            default:
                var times = new DateTime?[rows];
                await ReadValuesAsync(group, field, times, 0, rows, cancellationToken);
                var micros = (long?[])values;
                for (var r = 0; r < rows; r++)
                {
                    micros[offset + r] = times[r] is { } time ? ToMicros(time) : null;
                }
                break;
        }
    }

    private static async Task ReadValuesAsync<T>(ParquetRowGroupReader group, DataField field, T?[] values, int offset, int rows,
        CancellationToken cancellationToken) where T : struct
    {
        if (field.IsNullable)
        {
            await group.ReadAsync(field, new Memory<T?>(values, offset, rows), null, cancellationToken);
            return;
        }
        var required = new T[rows];
        await group.ReadAsync(field, new Memory<T>(required), null, cancellationToken);
        for (var r = 0; r < rows; r++)
        {
            values[offset + r] = required[r];
        }
    }

    private static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc);

    private static long ToMicros(DateTime time) => ((time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
