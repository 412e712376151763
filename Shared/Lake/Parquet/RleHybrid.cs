namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>
/// Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary indices). Writes bit-packed groups of
/// eight, or a run when a value repeats for the whole stretch; reads both.
/// </summary>
internal static class RleHybrid
{
    public static int BitWidth(int maxValue) => maxValue == 0 ? 0 : 32 - int.LeadingZeroCount(maxValue);

    public static void Write(Stream output, ReadOnlySpan<int> values, int bitWidth)
    {
        var i = 0;
        while (i < values.Length)
        {
            // A run of 8 or more equal values is written as a run.
            var run = 1;
            while (i + run < values.Length && values[i + run] == values[i])
            {
                run++;
            }
            if (run >= 8)
            {
                WriteVarint(output, (ulong)run << 1);
                var byteWidth = (bitWidth + 7) / 8;
                for (var b = 0; b < byteWidth; b++)
                {
                    output.WriteByte((byte)(values[i] >> (8 * b)));
                }
                i += run;
                continue;
            }

            // Otherwise bit-pack groups of eight until the next long run (the last group padded with zeros).
            var end = i;
            while (end < values.Length)
            {
                var next = 1;
                while (end + next < values.Length && values[end + next] == values[end])
                {
                    next++;
                }
                if (next >= 8 && (end - i) % 8 == 0)
                {
                    break;
                }
                end++;
            }
            var count = end - i;
            var groups = (count + 7) / 8;
            WriteVarint(output, ((ulong)groups << 1) | 1);
            var buffer = new byte[groups * bitWidth];
            for (var k = 0; k < groups * 8; k++)
            {
                var value = i + k < end ? values[i + k] : 0;
                for (var bit = 0; bit < bitWidth; bit++)
                {
                    if ((value & (1 << bit)) != 0)
                    {
                        var position = (k * bitWidth) + bit;
                        buffer[position >> 3] |= (byte)(1 << (position & 7));
                    }
                }
            }
            output.Write(buffer);
            i = end;
        }
    }

    /// <summary>Reads as many values as <paramref name="values"/> holds; returns the bytes consumed.</summary>
    public static int Read(ReadOnlySpan<byte> input, int bitWidth, Span<int> values)
    {
        var position = 0;
        var filled = 0;
        var byteWidth = (bitWidth + 7) / 8;
        while (filled < values.Length)
        {
            var header = ReadVarint(input, ref position);
            if ((header & 1) == 0)
            {
                var run = (int)(header >> 1);
                var value = 0;
                for (var b = 0; b < byteWidth; b++)
                {
                    value |= Byte(input, position++) << (8 * b);
                }
                var take = Math.Min(run, values.Length - filled);
                values.Slice(filled, take).Fill(value);
                filled += take;
            }
            else
            {
                var groups = (int)(header >> 1);
                var bits = input.Slice(position, Math.Min(groups * bitWidth, input.Length - position));
                if (bits.Length < groups * bitWidth)
                {
                    throw new InvalidDataException("A bit-packed run ends early.");
                }
                for (var k = 0; k < groups * 8 && filled < values.Length; k++)
                {
                    var value = 0;
                    for (var bit = 0; bit < bitWidth; bit++)
                    {
                        var p = (k * bitWidth) + bit;
                        if ((bits[p >> 3] & (1 << (p & 7))) != 0)
                        {
                            value |= 1 << bit;
                        }
                    }
                    values[filled++] = value;
                }
                position += groups * bitWidth;
            }
        }
        return position;
    }

    private static int Byte(ReadOnlySpan<byte> input, int position) =>
        position < input.Length ? input[position] : throw new InvalidDataException("An RLE run ends early.");

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> input, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte(input, position++);
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("An RLE header is too long.");
    }
}
