using System.Text;

namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>A Thrift struct read generically: field id to value (long, bool, double, byte[], list, or struct).</summary>
internal sealed class ThriftStruct
{
    private readonly Dictionary<short, object> _fields = [];

    public void Set(short id, object value) => _fields[id] = value;

    public bool Has(short id) => _fields.ContainsKey(id);

    public long Long(short id) => _fields.TryGetValue(id, out var v) ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)
        : throw new InvalidDataException($"Thrift field {id} is missing.");

    public long? OptionalLong(short id) => _fields.TryGetValue(id, out var v) ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public bool? OptionalBool(short id) => _fields.TryGetValue(id, out var v) ? (bool)v : null;

    public byte[]? Bytes(short id) => _fields.TryGetValue(id, out var v) ? (byte[])v : null;

    public string? String(short id) => Bytes(id) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    public ThriftStruct? Struct(short id) => _fields.TryGetValue(id, out var v) ? (ThriftStruct)v : null;

    public IReadOnlyList<object> List(short id) => _fields.TryGetValue(id, out var v) ? (List<object>)v : [];
}

/// <summary>Reads Thrift's compact protocol into <see cref="ThriftStruct"/> trees; malformed input raises InvalidDataException.</summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Position => _position;

    public ThriftStruct ReadStruct(int depth = 0)
    {
        if (depth > 32)
        {
            throw new InvalidDataException("Thrift structs nest too deeply.");
        }
        var result = new ThriftStruct();
        short lastId = 0;
        while (true)
        {
            var header = ReadByte();
            if (header == 0)
            {
                return result;
            }
            var type = (byte)(header & 0x0F);
            var delta = header >> 4;
            var id = delta != 0 ? (short)(lastId + delta) : (short)UnZigZag(ReadVarint());
            lastId = id;
            result.Set(id, ReadValue(type, depth));
        }
    }

    private object ReadValue(byte type, int depth) => type switch
    {
        ThriftCompactWriter.TypeTrue => true,
        ThriftCompactWriter.TypeFalse => false,
        ThriftCompactWriter.TypeByte => (long)(sbyte)ReadByte(),
        ThriftCompactWriter.TypeI16 or ThriftCompactWriter.TypeI32 or ThriftCompactWriter.TypeI64 => UnZigZag(ReadVarint()),
        ThriftCompactWriter.TypeDouble => ReadDouble(),
        ThriftCompactWriter.TypeBinary => ReadBinary(),
        ThriftCompactWriter.TypeList or 10 => ReadList(depth),
        ThriftCompactWriter.TypeStruct => ReadStruct(depth + 1),
        _ => throw new InvalidDataException($"Unsupported Thrift type {type} at byte {_position}."),
    };

    private List<object> ReadList(int depth)
    {
        var header = ReadByte();
        var count = header >> 4;
        if (count == 15)
        {
            count = checked((int)ReadVarint());
        }
        var elementType = (byte)(header & 0x0F);
        var list = new List<object>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            list.Add(elementType is ThriftCompactWriter.TypeTrue or ThriftCompactWriter.TypeFalse
                ? ReadByte() == ThriftCompactWriter.TypeTrue
                : ReadValue(elementType, depth));
        }
        return list;
    }

    private double ReadDouble()
    {
        Need(8);
        var value = BitConverter.ToDouble(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    private byte[] ReadBinary()
    {
        var length = checked((int)ReadVarint());
        Need(length);
        var bytes = _data.Slice(_position, length).ToArray();
        _position += length;
        return bytes;
    }

    private byte ReadByte()
    {
        Need(1);
        return _data[_position++];
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("A Thrift varint is too long.");
    }

    private readonly void Need(int count)
    {
        if (count < 0 || _position + count > _data.Length)
        {
            throw new InvalidDataException($"Thrift data ends early (needs {count} bytes at {_position} of {_data.Length}).");
        }
    }

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
