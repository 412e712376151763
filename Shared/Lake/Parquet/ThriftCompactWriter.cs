using System.Buffers;
using System.Text;

namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>
/// Writes Apache Thrift's compact protocol, the encoding of Parquet's page headers and footer: field headers
/// with id deltas, zigzag varints, length-prefixed binaries, list headers with the element type.
/// </summary>
internal sealed class ThriftCompactWriter(IBufferWriter<byte> output)
{
    public const byte TypeTrue = 1, TypeFalse = 2, TypeByte = 3, TypeI16 = 4, TypeI32 = 5, TypeI64 = 6, TypeDouble = 7,
        TypeBinary = 8, TypeList = 9, TypeStruct = 12;

    private readonly Stack<short> _outer = new();
    private short _lastId;

    public void BeginStruct()
    {
        _outer.Push(_lastId);
        _lastId = 0;
    }

    public void EndStruct()
    {
        WriteByte(0);
        _lastId = _outer.Pop();
    }

    public void I32(short id, int value)
    {
        FieldHeader(id, TypeI32);
        Varint(ZigZag(value));
    }

    public void I64(short id, long value)
    {
        FieldHeader(id, TypeI64);
        Varint(ZigZag(value));
    }

    public void Bool(short id, bool value) => FieldHeader(id, value ? TypeTrue : TypeFalse);

    public void Binary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, TypeBinary);
        BinaryValue(value);
    }

    public void String(short id, string value) => Binary(id, Encoding.UTF8.GetBytes(value));

    /// <summary>Starts a struct-valued field; end it with <see cref="EndStruct"/>.</summary>
    public void Struct(short id)
    {
        FieldHeader(id, TypeStruct);
        BeginStruct();
    }

    /// <summary>Starts a list field of <paramref name="count"/> elements of <paramref name="elementType"/>.</summary>
    public void List(short id, byte elementType, int count)
    {
        FieldHeader(id, TypeList);
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | elementType));
            Varint((ulong)count);
        }
    }

    public void I32Element(int value) => Varint(ZigZag(value));

    public void StringElement(string value) => BinaryValue(Encoding.UTF8.GetBytes(value));

    private void BinaryValue(ReadOnlySpan<byte> value)
    {
        Varint((ulong)value.Length);
        var span = output.GetSpan(value.Length);
        value.CopyTo(span);
        output.Advance(value.Length);
    }

    private void FieldHeader(short id, byte type)
    {
        var delta = id - _lastId;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | type));
        }
        else
        {
            WriteByte(type);
            Varint(ZigZag(id));
        }
        _lastId = id;
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private void Varint(ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        output.Advance(i);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
