namespace OpsConsole.Sandbox.Data;

/// <summary>
/// A small, fast, seedable generator (SplitMix64). Its output depends only on the seed, never on the .NET version,
/// so a seed reproduces the same data set everywhere.
/// </summary>
public sealed class SplitMix(ulong seed)
{
    private ulong _state = seed;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A well-mixed hash of several values, for per-object and per-second derived seeds.</summary>
    public static ulong Hash(ulong a, ulong b, ulong c = 0) => Mix(Mix(Mix(a) ^ b) + c);

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, max).</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)((NextULong() >> 33) % (ulong)max);

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Poisson count with the given mean (Knuth for small means, a normal approximation above 30).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }
        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * NextGaussian())));
        }
        var limit = Math.Exp(-mean);
        var count = 0;
        var product = NextDouble();
        while (product > limit)
        {
            count++;
            product *= NextDouble();
        }
        return count;
    }

    /// <summary>Picks an index by weights.</summary>
    public int Pick(ReadOnlySpan<double> cumulativeWeights)
    {
        var x = NextDouble() * cumulativeWeights[^1];
        for (var i = 0; i < cumulativeWeights.Length; i++)
        {
            if (x < cumulativeWeights[i])
            {
                return i;
            }
        }
        return cumulativeWeights.Length - 1;
    }
}
