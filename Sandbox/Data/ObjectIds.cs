namespace OpsConsole.Sandbox.Data;

/// <summary>
/// Stripe-looking object ids that encode the object's position: <c>ch_</c> + 11 base62 digits of a keyed 64-bit
/// permutation (a 4-round Feistel network) of the index + 11 digits of a keyed checksum. Decoding inverts the
/// permutation, so retrieving an object or resuming a list at <c>starting_after</c> never scans or needs a map;
/// an id that was not issued fails the checksum.
/// </summary>
public sealed class ObjectIds(string prefix, ulong seed, ulong kind)
{
    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int HalfLength = 11;
    private static readonly sbyte[] DigitValues = BuildDigitValues();

    private readonly ulong _key = SplitMix.Hash(seed, kind, 0x5EED);

    public string Prefix { get; } = prefix;

    public string Encode(int index)
    {
        var permuted = Permute((ulong)(uint)index);
        Span<char> text = stackalloc char[Prefix.Length + (2 * HalfLength)];
        Prefix.AsSpan().CopyTo(text);
        WriteBase62(permuted, text.Slice(Prefix.Length, HalfLength));
        WriteBase62(Checksum(permuted), text.Slice(Prefix.Length + HalfLength, HalfLength));
        return new string(text);
    }

    /// <summary>The index an id encodes, or -1 when it is not an id this generator issued.</summary>
    public int Decode(ReadOnlySpan<char> id)
    {
        if (id.Length != Prefix.Length + (2 * HalfLength) || !id.StartsWith(Prefix, StringComparison.Ordinal) ||
            !TryReadBase62(id.Slice(Prefix.Length, HalfLength), out var permuted) ||
            !TryReadBase62(id.Slice(Prefix.Length + HalfLength, HalfLength), out var checksum) ||
            checksum != Checksum(permuted))
        {
            return -1;
        }
        var index = Unpermute(permuted);
        return index <= int.MaxValue ? (int)index : -1;
    }

    private ulong Checksum(ulong permuted) => SplitMix.Mix(permuted ^ _key);

    private uint Round(uint half, int round) => (uint)(SplitMix.Mix(half ^ (_key + ((ulong)round * 0x9E3779B97F4A7C15UL))) >> 32);

    private ulong Permute(ulong value)
    {
        var left = (uint)(value >> 32);
        var right = (uint)value;
        for (var round = 0; round < 4; round++)
        {
            var next = left ^ Round(right, round);
            left = right;
            right = next;
        }
        return ((ulong)left << 32) | right;
    }

    private ulong Unpermute(ulong value)
    {
        var left = (uint)(value >> 32);
        var right = (uint)value;
        for (var round = 3; round >= 0; round--)
        {
            var previous = right ^ Round(left, round);
            right = left;
            left = previous;
        }
        return ((ulong)left << 32) | right;
    }

    private static void WriteBase62(ulong value, Span<char> output)
    {
        for (var i = output.Length - 1; i >= 0; i--)
        {
            output[i] = Digits[(int)(value % 62)];
            value /= 62;
        }
    }

    private static bool TryReadBase62(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        foreach (var c in text)
        {
            var digit = c < 128 ? DigitValues[c] : -1;
            if (digit < 0)
            {
                return false;
            }
            var next = unchecked((value * 62) + (ulong)digit);
            if (value > (ulong.MaxValue - (ulong)digit) / 62)
            {
                return false;
            }
            value = next;
        }
        return true;
    }

    private static sbyte[] BuildDigitValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Digits.Length; i++)
        {
            values[Digits[i]] = (sbyte)i;
        }
        return values;
    }
}
