using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>
/// Writes a table as one Parquet file: row groups of <see cref="ParquetWriteOptions.RowGroupRows"/> rows, one
/// data page (format v1) per column chunk, Snappy pages, dictionary encoding for string columns where it pays
/// (few distinct values), min/max/null-count statistics per column chunk, and type-defined column orders so
/// readers trust those statistics.
/// </summary>
internal static class ParquetWriter
{
    private const int Plain = 0, Rle = 3, RleDictionary = 8;
    private const int PhysicalBoolean = 0, PhysicalInt64 = 2, PhysicalDouble = 5, PhysicalByteArray = 6;
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    public static void Write(Stream output, ParquetTable table, ParquetWriteOptions options)
    {
        var sink = new Sink(output);
        sink.Write(Magic);
        var rowGroups = new List<RowGroupInfo>();
        for (var first = 0; first < table.RowCount || (first == 0 && table.RowCount == 0); first += options.RowGroupRows)
        {
            var rows = Math.Min(options.RowGroupRows, table.RowCount - first);
            var start = sink.Position;
            var chunks = new List<ChunkInfo>();
            for (var c = 0; c < table.Columns.Count; c++)
            {
                chunks.Add(WriteChunk(table.Columns[c], table.Values[c], first, rows, sink));
            }
            rowGroups.Add(new RowGroupInfo(chunks, rows, start, sink.Position - start));
            if (table.RowCount == 0)
            {
                break;
            }
        }

        var footer = new ArrayBufferWriter<byte>(4096);
        WriteFileMetaData(new ThriftCompactWriter(footer), table, rowGroups);
        sink.Write(footer.WrittenSpan);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, footer.WrittenCount);
        sink.Write(length);
        sink.Write(Magic);
    }

    private static ChunkInfo WriteChunk(ParquetColumn column, Array values, int first, int rows, Sink sink)
    {
        // Definition levels (nullable columns) and the indices of present values.
        var levels = new int[rows];
        var present = new List<int>(rows);
        for (var r = 0; r < rows; r++)
        {
            if (values.GetValue(first + r) is not null)
            {
                levels[r] = 1;
                present.Add(first + r);
            }
            else if (!column.Nullable)
            {
                throw new ArgumentException($"Column {column.Name} is not nullable but row {first + r} has no value.", nameof(values));
            }
        }

        var statistics = Statistics(column.Type, values, present, rows);
        var body = new MemoryStream();
        if (column.Nullable)
        {
            var encoded = new MemoryStream();
            RleHybrid.Write(encoded, levels, 1);
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, (int)encoded.Length);
            body.Write(size);
            encoded.WriteTo(body);
        }

        var encodings = new List<int> { Rle };
        long? dictionaryOffset = null;
        long uncompressedTotal = 0, compressedTotal = 0;
        var chunkStart = sink.Position;
        var dictionary = column.Type == ParquetColumnType.String ? Dictionary((string?[])values, present) : null;
        if (dictionary is { } dict)
        {
            var plain = new MemoryStream();
            foreach (var value in dict.Values)
            {
                WritePlainString(plain, value);
            }
            dictionaryOffset = sink.Position;
            WritePage(2, plain.ToArray(), dict.Values.Count, Plain, sink, ref uncompressedTotal, ref compressedTotal);
            var bitWidth = Math.Max(1, RleHybrid.BitWidth(dict.Values.Count - 1));
            body.WriteByte((byte)bitWidth);
            RleHybrid.Write(body, dict.Indices, bitWidth);
            encodings.Add(Plain);
            encodings.Add(RleDictionary);
        }
        else
        {
            WritePlain(body, column.Type, values, present);
            encodings.Add(Plain);
        }

        var dataOffset = sink.Position;
        WritePage(0, body.ToArray(), rows, dictionary is null ? Plain : RleDictionary, sink, ref uncompressedTotal, ref compressedTotal);
        return new ChunkInfo(column, rows, chunkStart, dataOffset, dictionaryOffset, uncompressedTotal, compressedTotal, [.. encodings.Distinct()], statistics);
    }

    /// <summary>A dictionary when it pays: at most half as many distinct values as present values, and under 1 MiB.</summary>
    private static (List<string> Values, int[] Indices)? Dictionary(string?[] values, List<int> present)
    {
        if (present.Count == 0)
        {
            return null;
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordered = new List<string>();
        var indices = new int[present.Count];
        long bytes = 0;
        for (var i = 0; i < present.Count; i++)
        {
            var value = values[present[i]]!;
            if (!index.TryGetValue(value, out var id))
            {
                id = ordered.Count;
                index[value] = id;
                ordered.Add(value);
                bytes += Encoding.UTF8.GetByteCount(value) + 4;
                if (ordered.Count > Math.Max(1, present.Count / 2) || bytes > 1 << 20)
                {
                    return null;
                }
            }
            indices[i] = id;
        }
        return (ordered, indices);
    }

    private static void WritePage(int pageType, byte[] uncompressed, int numValues, int encoding, Sink sink,
        ref long uncompressedTotal, ref long compressedTotal)
    {
        var compressed = IronSnappy.Snappy.Encode(uncompressed);
        var header = new ArrayBufferWriter<byte>(64);
        var thrift = new ThriftCompactWriter(header);
        thrift.BeginStruct();
        thrift.I32(1, pageType);
        thrift.I32(2, uncompressed.Length);
        thrift.I32(3, compressed.Length);
        if (pageType == 2)
        {
            thrift.Struct(7);
            thrift.I32(1, numValues);
            thrift.I32(2, encoding);
            thrift.EndStruct();
        }
        else
        {
            thrift.Struct(5);
            thrift.I32(1, numValues);
            thrift.I32(2, encoding);
            thrift.I32(3, Rle);
            thrift.I32(4, Rle);
            thrift.EndStruct();
        }
        thrift.EndStruct();
        sink.Write(header.WrittenSpan);
        sink.Write(compressed);
        uncompressedTotal += header.WrittenCount + uncompressed.Length;
        compressedTotal += header.WrittenCount + compressed.Length;
    }

    private static void WritePlain(Stream body, ParquetColumnType type, Array values, List<int> present)
    {
        Span<byte> buffer = stackalloc byte[8];
        switch (type)
        {
            case ParquetColumnType.Boolean:
                var bools = (bool?[])values;
                var packed = new byte[(present.Count + 7) / 8];
                for (var i = 0; i < present.Count; i++)
                {
                    if (bools[present[i]] == true)
                    {
                        packed[i >> 3] |= (byte)(1 << (i & 7));
                    }
                }
                body.Write(packed);
                break;
            case ParquetColumnType.Double:
                foreach (var i in present)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(buffer, ((double?[])values)[i]!.Value);
                    body.Write(buffer);
                }
                break;
            case ParquetColumnType.String:
                foreach (var i in present)
                {
                    WritePlainString(body, ((string?[])values)[i]!);
                }
                break;
            default:
                foreach (var i in present)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(buffer, ((long?[])values)[i]!.Value);
                    body.Write(buffer);
                }
                break;
        }
    }

    private static void WritePlainString(Stream body, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        body.Write(length);
        body.Write(bytes);
    }

    private static ColumnStatistics Statistics(ParquetColumnType type, Array values, List<int> present, int rows)
    {
        long nulls = rows - present.Count;
        byte[]? min = null, max = null;
        switch (type)
        {
            case ParquetColumnType.Boolean when present.Count > 0:
                var bools = present.Select(i => ((bool?[])values)[i]!.Value).ToList();
                min = [(byte)(bools.All(b => b) ? 1 : 0)];
                max = [(byte)(bools.Any(b => b) ? 1 : 0)];
                break;
            case ParquetColumnType.Double when present.Count > 0:
                var doubles = present.Select(i => ((double?[])values)[i]!.Value).Where(d => !double.IsNaN(d)).ToList();
                if (doubles.Count > 0)
                {
                    min = BitConverter.GetBytes(doubles.Min());
                    max = BitConverter.GetBytes(doubles.Max());
                }
                break;
            case ParquetColumnType.String when present.Count > 0:
                foreach (var i in present)
                {
                    var bytes = Encoding.UTF8.GetBytes(((string?[])values)[i]!);
                    if (min is null || bytes.AsSpan().SequenceCompareTo(min) < 0)
                    {
                        min = bytes;
                    }
                    if (max is null || bytes.AsSpan().SequenceCompareTo(max) > 0)
                    {
                        max = bytes;
                    }
                }
                break;
            case ParquetColumnType.Int64 or ParquetColumnType.TimestampMicros when present.Count > 0:
                var longs = present.Select(i => ((long?[])values)[i]!.Value).ToList();
                min = BitConverter.GetBytes(longs.Min());
                max = BitConverter.GetBytes(longs.Max());
                break;
        }
        return new ColumnStatistics(nulls, min, max);
    }

    private static void WriteFileMetaData(ThriftCompactWriter thrift, ParquetTable table, List<RowGroupInfo> rowGroups)
    {
        thrift.BeginStruct();
        thrift.I32(1, 1);
        thrift.List(2, ThriftCompactWriter.TypeStruct, table.Columns.Count + 1);
        thrift.BeginStruct();
        thrift.String(4, "schema");
        thrift.I32(5, table.Columns.Count);
        thrift.EndStruct();
        foreach (var column in table.Columns)
        {
            thrift.BeginStruct();
            thrift.I32(1, column.Type switch
            {
                ParquetColumnType.Boolean => PhysicalBoolean,
                ParquetColumnType.Double => PhysicalDouble,
                ParquetColumnType.String => PhysicalByteArray,
                _ => PhysicalInt64,
            });
            thrift.I32(3, column.Nullable ? 1 : 0);
            thrift.String(4, column.Name);
            if (column.Type == ParquetColumnType.String)
            {
                thrift.I32(6, 0); // converted type UTF8
                thrift.Struct(10); // logical type
                thrift.Struct(1); // STRING
                thrift.EndStruct();
                thrift.EndStruct();
            }
            else if (column.Type == ParquetColumnType.TimestampMicros)
            {
                thrift.I32(6, 10); // converted type TIMESTAMP_MICROS
                thrift.Struct(10); // logical type
                thrift.Struct(8); // TIMESTAMP
                thrift.Bool(1, true); // isAdjustedToUTC
                thrift.Struct(2); // unit
                thrift.Struct(2); // MICROS
                thrift.EndStruct();
                thrift.EndStruct();
                thrift.EndStruct();
                thrift.EndStruct();
            }
            thrift.EndStruct();
        }
        thrift.I64(3, table.RowCount);
        thrift.List(4, ThriftCompactWriter.TypeStruct, rowGroups.Count);
        for (var g = 0; g < rowGroups.Count; g++)
        {
            var group = rowGroups[g];
            thrift.BeginStruct();
            thrift.List(1, ThriftCompactWriter.TypeStruct, group.Chunks.Count);
            foreach (var chunk in group.Chunks)
            {
                thrift.BeginStruct();
                thrift.I64(2, chunk.Start);
                thrift.Struct(3);
                thrift.I32(1, chunk.Column.Type switch
                {
                    ParquetColumnType.Boolean => PhysicalBoolean,
                    ParquetColumnType.Double => PhysicalDouble,
                    ParquetColumnType.String => PhysicalByteArray,
                    _ => PhysicalInt64,
                });
                thrift.List(2, ThriftCompactWriter.TypeI32, chunk.Encodings.Count);
                foreach (var encoding in chunk.Encodings)
                {
                    thrift.I32Element(encoding);
                }
                thrift.List(3, ThriftCompactWriter.TypeBinary, 1);
                thrift.StringElement(chunk.Column.Name);
                thrift.I32(4, 1); // SNAPPY
                thrift.I64(5, chunk.Rows);
                thrift.I64(6, chunk.UncompressedSize);
                thrift.I64(7, chunk.CompressedSize);
                thrift.I64(9, chunk.DataOffset);
                if (chunk.DictionaryOffset is { } dictionaryOffset)
                {
                    thrift.I64(11, dictionaryOffset);
                }
                thrift.Struct(12);
                thrift.I64(3, chunk.Statistics.NullCount);
                if (chunk.Statistics.Max is { } max)
                {
                    thrift.Binary(5, max);
                }
                if (chunk.Statistics.Min is { } min)
                {
                    thrift.Binary(6, min);
                }
                thrift.EndStruct();
                thrift.EndStruct();
                thrift.EndStruct();
            }
            thrift.I64(2, group.Chunks.Sum(c => c.UncompressedSize));
            thrift.I64(3, group.Rows);
            thrift.I64(5, group.Start);
            thrift.I64(6, group.Size);
            thrift.EndStruct();
        }
        thrift.String(6, "OpsConsole parquet writer 1.0");
        thrift.List(7, ThriftCompactWriter.TypeStruct, table.Columns.Count);
        foreach (var _ in table.Columns)
        {
            thrift.BeginStruct();
            thrift.Struct(1); // TYPE_ORDER
            thrift.EndStruct();
            thrift.EndStruct();
        }
        thrift.EndStruct();
    }

    /// <summary>The output and how many bytes went to it: offsets in the footer are file positions.</summary>
    private sealed class Sink(Stream output)
    {
        public long Position { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            Position += bytes.Length;
        }
    }

    private sealed record ColumnStatistics(long NullCount, byte[]? Min, byte[]? Max);

    private sealed record ChunkInfo(ParquetColumn Column, int Rows, long Start, long DataOffset, long? DictionaryOffset,
        long UncompressedSize, long CompressedSize, List<int> Encodings, ColumnStatistics Statistics);

    private sealed record RowGroupInfo(List<ChunkInfo> Chunks, int Rows, long Start, long Size);
}
