using System.Runtime.InteropServices;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>
/// A set of keys for uniqueness and distinct counts in bounded memory. Keys are kept as 64-bit hashes (a collision
/// among two million keys has a chance of about one in ten million), exactly, up to <see cref="ExactLimit"/> keys
/// (about 50 MB). Past that the set becomes a HyperLogLog of 2^14 registers (16 KB, about 0.8% standard error) and
/// the figures it gives are estimates.
/// </summary>
public sealed class KeySet(int exactLimit = KeySet.DefaultExactLimit)
{
    public const int DefaultExactLimit = 2_000_000;

    /// <summary>Three standard errors of the HyperLogLog estimate (1.04 / sqrt(2^14) each).</summary>
    public const double EstimateError = 3 * 1.04 / 128;
    private const int Precision = 14;
    private HashSet<ulong>? _exact = [];
    private byte[]? _registers;

    public int ExactLimit => exactLimit;

    public bool Estimated => _exact is null;

    /// <summary>Adds a key; true when it was not there before (when estimated: when the sketch changed, a hint only).</summary>
    public bool Add(ulong hash)
    {
        if (_exact is { } exact)
        {
            if (!exact.Add(hash))
            {
                return false;
            }
            if (exact.Count > exactLimit)
            {
                _registers = new byte[1 << Precision];
                foreach (var key in exact)
                {
                    Register(key);
                }
                _exact = null;
            }
            return true;
        }
        return Register(hash);
    }

    public long Count => _exact?.Count ?? Estimate();

    private bool Register(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rank = (byte)(System.Numerics.BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        if (rank <= _registers![index])
        {
            return false;
        }
        _registers[index] = rank;
        return true;
    }

    private long Estimate()
    {
        var m = (double)(1 << Precision);
        double sum = 0;
        var zeros = 0;
        foreach (var register in _registers!)
        {
            sum += Math.Pow(2, -register);
            zeros += register == 0 ? 1 : 0;
        }
        var raw = 0.7213 / (1 + (1.079 / m)) * m * m / sum;
        // Small cardinalities: linear counting is the better estimate while registers are still empty.
        return (long)Math.Round(raw <= 2.5 * m && zeros > 0 ? m * Math.Log(m / zeros) : raw);
    }

    /// <summary>A 64-bit hash of a string (FNV-1a over its UTF-16 code units, then a finalizer that spreads the bits).</summary>
    public static ulong Hash(string value) => Mix(Fnv(MemoryMarshal.AsBytes(value.AsSpan()), 14695981039346656037UL));

    /// <summary>A 64-bit hash of several values (a unique combination); null and empty differ.</summary>
    public static ulong Hash(ReadOnlySpan<string?> values)
    {
        var hash = 14695981039346656037UL;
        foreach (var value in values)
        {
            hash = Fnv(value is null ? [0xFF] : MemoryMarshal.AsBytes(value.AsSpan()), hash);
            hash = Fnv([0x1F], hash);
        }
        return Mix(hash);
    }

    private static ulong Fnv(ReadOnlySpan<byte> bytes, ulong hash)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Count, sum, minimum, maximum, mean and standard deviation (Welford's update) of a numeric column in one pass.</summary>
public sealed class Moments
{
    private double _mean;
    private double _m2;

    public long Count { get; private set; }

    public double Sum { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    public double? Mean => Count > 0 ? _mean : null;

    /// <summary>The population standard deviation.</summary>
    public double? StandardDeviation => Count > 0 ? Math.Sqrt(_m2 / Count) : null;

    public void Add(double value)
    {
        Count++;
        Sum += value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        var delta = value - _mean;
        _mean += delta / Count;
        _m2 += delta * (value - _mean);
    }
}

/// <summary>
/// Quantiles from a uniform sample of at most <see cref="Capacity"/> values (reservoir sampling with a fixed seed, so a
/// rerun gives the same figure): exact while the column has no more values than that, within about 1% of rank after.
/// </summary>
public sealed class Reservoir(int capacity = Reservoir.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;
    private readonly List<double> _sample = new(Math.Min(capacity, 1024));
    private readonly Random _random = new(20_261_126);

    public int Capacity => capacity;

    public long Seen { get; private set; }

    public void Add(double value)
    {
        Seen++;
        if (_sample.Count < capacity)
        {
            _sample.Add(value);
            return;
        }
        var slot = _random.NextInt64(Seen);
        if (slot < capacity)
        {
            _sample[(int)slot] = value;
        }
    }

    /// <summary>The q-quantile (0..1) by linear interpolation between the closest ranks; null without values.</summary>
    public double? Quantile(double q)
    {
        if (_sample.Count == 0)
        {
            return null;
        }
        var sorted = _sample.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}

/// <summary>
/// How often each value of a column occurs, exactly for the first <see cref="Limit"/> distinct values; values after
/// that are counted together as <see cref="Other"/>. Meant for columns of few values (status, currency).
/// </summary>
public sealed class ValueCounts(int limit = ValueCounts.DefaultLimit)
{
    public const int DefaultLimit = 10_000;
    public const string Other = "(other)";
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public int Limit => limit;

    public long Total { get; private set; }

    public void Add(string value)
    {
        Total++;
        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, _counts.Count < limit || _counts.ContainsKey(value) ? value : Other, out _);
        count++;
    }

    /// <summary>The <paramref name="top"/> most common values' shares of all values, the rest as <see cref="Other"/>.</summary>
    public Dictionary<string, double> Shares(int top)
    {
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        if (Total == 0)
        {
            return shares;
        }
        var ordered = _counts.Where(pair => pair.Key != Other).OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        foreach (var (value, count) in ordered.Take(top))
        {
            shares[value] = (double)count / Total;
        }
        var rest = Total - ordered.Take(top).Sum(pair => pair.Value);
        if (rest > 0)
        {
            shares[Other] = (double)rest / Total;
        }
        return shares;
    }

    /// <summary>Total variation distance between two distributions (0: the same, 1: nothing in common).</summary>
    public static double Distance(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b) =>
        0.5 * a.Keys.Union(b.Keys).Sum(key => Math.Abs(a.GetValueOrDefault(key) - b.GetValueOrDefault(key)));
}
