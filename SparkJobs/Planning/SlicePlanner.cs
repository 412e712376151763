namespace OpsConsole.SparkJobs.Planning;

/// <summary>A half-open window of <c>created</c> values, [From, To) in unix seconds.</summary>
public readonly record struct Slice(long From, long To)
{
    public override string ToString() => $"[{From}, {To})";
}

/// <summary>Cuts a window into slices the workers fetch in parallel, newest first (the freshest data lands first).</summary>
public static class SlicePlanner
{
    public static IReadOnlyList<Slice> Plan(long from, long to, long sliceSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sliceSeconds);
        if (to <= from)
        {
            return [];
        }
        var slices = new List<Slice>();
        for (var end = to; end > from; end -= sliceSeconds)
        {
            slices.Add(new Slice(Math.Max(from, end - sliceSeconds), end));
        }
        return slices;
    }
}
