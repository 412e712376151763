using System.Buffers.Binary;
using System.Text;

namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>
/// Reads the Parquet files the lake holds: flat schemas of BOOLEAN, INT64, DOUBLE and BYTE_ARRAY columns,
/// data pages v1 with PLAIN or dictionary (RLE_DICTIONARY / PLAIN_DICTIONARY) values, RLE definition levels,
/// uncompressed or Snappy. Anything else is refused with an InvalidDataException saying what.
/// </summary>
internal static class ParquetReader
{
    /// <summary>Reads a whole file, or only the named <paramref name="only"/> columns (the others come back all null).</summary>
    public static (ParquetTable Table, ParquetFileInfo Info) Read(ReadOnlySpan<byte> file, IReadOnlyCollection<string>? only = null)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("PAR1"u8) || !file[^4..].SequenceEqual("PAR1"u8))
        {
            throw new InvalidDataException("Not a Parquet file: the PAR1 markers are missing.");
        }
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(file[^8..^4]);
        if (footerLength <= 0 || footerLength > file.Length - 12)
        {
            throw new InvalidDataException($"The footer length {footerLength} does not fit the file ({file.Length} bytes).");
        }
        var metadata = new ThriftCompactReader(file.Slice(file.Length - 8 - footerLength, footerLength)).ReadStruct();

        var schema = metadata.List(2).Cast<ThriftStruct>().ToList();
        if (schema.Count < 2)
        {
            throw new InvalidDataException("The schema has no columns.");
        }
        var columns = schema.Skip(1).Select(ColumnOf).ToList();
        var rows = checked((int)metadata.Long(3));
        var values = columns.Select(c => Array.CreateInstance(ParquetTable.ArrayType(c.Type).GetElementType()!, rows)).ToList();

        var groups = new List<ParquetRowGroupInfo>();
        var offset = 0;
        foreach (ThriftStruct group in metadata.List(4))
        {
            var groupRows = checked((int)group.Long(3));
            var chunks = new List<ParquetChunkInfo>();
            var chunkList = group.List(1).Cast<ThriftStruct>().ToList();
            if (chunkList.Count != columns.Count)
            {
                throw new InvalidDataException($"A row group has {chunkList.Count} column chunks for {columns.Count} columns.");
            }
            for (var c = 0; c < columns.Count; c++)
            {
                var meta = chunkList[c].Struct(3) ?? throw new InvalidDataException("A column chunk has no metadata.");
                if (only is null || only.Contains(columns[c].Name))
                {
                    ReadChunk(file, columns[c], meta, values[c], offset, groupRows);
                }
                var stats = meta.Struct(12);
                chunks.Add(new ParquetChunkInfo(columns[c].Name, (int)meta.Long(4), [.. meta.List(2).Select(e => (int)(long)e)],
                    stats?.OptionalLong(3) ?? 0, stats?.Bytes(6) ?? stats?.Bytes(2), stats?.Bytes(5) ?? stats?.Bytes(1)));
            }
            groups.Add(new ParquetRowGroupInfo(groupRows, chunks));
            offset += groupRows;
        }
        if (offset != rows)
        {
            throw new InvalidDataException($"The row groups hold {offset} rows, the footer says {rows}.");
        }
        return (new ParquetTable(columns, values), new ParquetFileInfo(rows, metadata.String(6), groups));
    }

    private static ParquetColumn ColumnOf(ThriftStruct element)
    {
        var name = element.String(4) ?? throw new InvalidDataException("A schema element has no name.");
        if (element.OptionalLong(5) is > 0)
        {
            throw new InvalidDataException($"Column {name} is nested; only flat schemas are read.");
        }
        var repetition = element.OptionalLong(3) ?? 0;
        if (repetition == 2)
        {
            throw new InvalidDataException($"Column {name} is repeated; only flat schemas are read.");
        }
        var logical = element.Struct(10);
        var type = element.OptionalLong(1) switch
        {
            0 => ParquetColumnType.Boolean,
            5 => ParquetColumnType.Double,
            6 => ParquetColumnType.String,
            2 when logical?.Has(8) == true || element.OptionalLong(6) == 10 => ParquetColumnType.TimestampMicros,
            2 => ParquetColumnType.Int64,
            var other => throw new InvalidDataException($"Column {name} has physical type {other}, which this reader does not read."),
        };
        return new ParquetColumn(name, type, repetition == 1);
    }

    private static void ReadChunk(ReadOnlySpan<byte> file, ParquetColumn column, ThriftStruct meta, Array target, int offset, int rows)
    {
        var codec = meta.Long(4);
        if (codec is not (0 or 1))
        {
            throw new InvalidDataException($"Column {column.Name} uses codec {codec}; this reader reads uncompressed and Snappy.");
        }
        var position = checked((int)(meta.OptionalLong(11) ?? meta.Long(9)));
        var end = position + checked((int)meta.Long(7));
        List<object>? dictionary = null;
        var filled = 0;
        while (filled < rows)
        {
            if (position >= end || position >= file.Length)
            {
                throw new InvalidDataException($"Column {column.Name} ends after {filled} of {rows} values.");
            }
            var reader = new ThriftCompactReader(file[position..]);
            var header = reader.ReadStruct();
            position += reader.Position;
            var compressedSize = checked((int)header.Long(3));
            var page = file.Slice(position, compressedSize);
            position += compressedSize;
            var data = codec == 1 ? IronSnappy.Snappy.Decode(page) : page.ToArray();
            if (data.Length != header.Long(2))
            {
                throw new InvalidDataException($"A page of column {column.Name} decompresses to {data.Length} bytes, not {header.Long(2)}.");
            }

            switch (header.Long(1))
            {
                case 2:
                    var dictionaryHeader = header.Struct(7) ?? throw new InvalidDataException("A dictionary page has no header.");
                    dictionary = ReadPlain(column.Type, data, checked((int)dictionaryHeader.Long(1)));
                    break;
                case 0:
                    var dataHeader = header.Struct(5) ?? throw new InvalidDataException("A data page has no header.");
                    var count = checked((int)dataHeader.Long(1));
                    filled += ReadDataPage(column, data, count, (int)dataHeader.Long(2), dictionary, target, offset + filled);
                    break;
                default:
                    throw new InvalidDataException($"Column {column.Name} has a page of type {header.Long(1)}; this reader reads dictionary and v1 data pages.");
            }
        }
    }

    private static int ReadDataPage(ParquetColumn column, ReadOnlySpan<byte> data, int count, int encoding, List<object>? dictionary, Array target, int offset)
    {
        var levels = new int[count];
        var position = 0;
        if (column.Nullable)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data);
            RleHybrid.Read(data.Slice(4, length), 1, levels);
            position = 4 + length;
        }
        else
        {
            Array.Fill(levels, 1);
        }
        var present = levels.Count(l => l == 1);
        List<object> values;
        if (encoding is 8 or 2)
        {
            if (dictionary is null)
            {
                throw new InvalidDataException($"Column {column.Name} has dictionary indices but no dictionary page.");
            }
            var bitWidth = data[position];
            var indices = new int[present];
            RleHybrid.Read(data[(position + 1)..], bitWidth, indices);
            values = [.. indices.Select(i => i < dictionary.Count ? dictionary[i]
                : throw new InvalidDataException($"Column {column.Name} has dictionary index {i} of {dictionary.Count}."))];
        }
        else if (encoding == 0)
        {
            values = ReadPlain(column.Type, data[position..], present);
        }
        else
        {
            throw new InvalidDataException($"Column {column.Name} uses encoding {encoding}; this reader reads PLAIN and dictionary pages.");
        }

        var next = 0;
        for (var i = 0; i < count; i++)
        {
            target.SetValue(levels[i] == 1 ? values[next++] : null, offset + i);
        }
        return count;
    }

    private static List<object> ReadPlain(ParquetColumnType type, ReadOnlySpan<byte> data, int count)
    {
        var values = new List<object>(count);
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            switch (type)
            {
                case ParquetColumnType.Boolean:
                    values.Add((data[i >> 3] & (1 << (i & 7))) != 0);
                    break;
                case ParquetColumnType.Double:
                    values.Add(BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(position, 8)));
                    position += 8;
                    break;
                case ParquetColumnType.String:
                    var length = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(position, 4));
                    values.Add(Encoding.UTF8.GetString(data.Slice(position + 4, length)));
                    position += 4 + length;
                    break;
                default:
                    values.Add(BinaryPrimitives.ReadInt64LittleEndian(data.Slice(position, 8)));
                    position += 8;
                    break;
            }
        }
        return values;
    }
}
