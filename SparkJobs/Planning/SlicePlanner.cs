namespace OpsConsole.SparkJobs.Planning;

/// <summary>A half-open window of <c>created</c> values, [From, To) in unix seconds.</summary>
public readonly record struct Slice(long From, long To)
{
    public long Seconds => To - From;

    public override string ToString() => $"[{From}, {To})";
}

/// <summary>Cuts a window into slices the workers fetch in parallel, newest first (the freshest data lands first).</summary>
public static class SlicePlanner
{
    /// <summary>Pieces an oversized slice is cut into at most, per split (a piece that is still too big splits again).</summary>
    public const int MaxPiecesPerSplit = 16;

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

    /// <summary>
    /// What is left of <paramref name="planned"/> once the <paramref name="done"/> slices are taken out, newest first.
    /// Done slices may be pieces of a planned slice (it was split while fetched), so this is interval arithmetic, not
    /// a lookup.
    /// </summary>
    public static IReadOnlyList<Slice> Remaining(IEnumerable<Slice> planned, IEnumerable<Slice> done)
    {
        var covered = done.OrderBy(s => s.From).ToList();
        var left = new List<Slice>();
        foreach (var slice in planned)
        {
            var start = slice.From;
            foreach (var d in covered)
            {
                if (d.To <= start || d.From >= slice.To)
                {
                    continue;
                }
                if (d.From > start)
                {
                    left.Add(new Slice(start, d.From));
                }
                start = Math.Max(start, d.To);
            }
            if (start < slice.To)
            {
                left.Add(new Slice(start, slice.To));
            }
        }
        return [.. left.OrderByDescending(s => s.To)];
    }

    /// <summary>
    /// Whether a slice whose first (newest) full page reached back to <paramref name="oldestOnFirstPage"/> should be
    /// cut, and how. The page covered [oldest, To): at that density the slice would take <c>Seconds / (To - oldest)</c>
    /// pages. Above <paramref name="maxPages"/> the slice is cut: the page already holds every object created after
    /// its oldest second, so [oldest + 1, To) is finished by it (the <see cref="SliceSplit.Head"/>, none when the
    /// whole page shares one second), and the rest, [From, oldest + 1), is cut into pieces of about the limit,
    /// never shorter than a second, newest first.
    /// </summary>
    public static SliceSplit? Split(Slice slice, long oldestOnFirstPage, int maxPages)
    {
        var covered = Math.Max(1, slice.To - oldestOnFirstPage);
        var estimatedPages = (double)slice.Seconds / covered;
        if (estimatedPages <= maxPages || slice.Seconds < 2)
        {
            return null;
        }
        var cut = Math.Clamp(oldestOnFirstPage + 1, slice.From + 1, slice.To);
        var rest = new Slice(slice.From, cut);
        var pieces = (long)Math.Min(Math.Min(MaxPiecesPerSplit, rest.Seconds), Math.Ceiling(rest.Seconds / (double)covered / maxPages));
        pieces = Math.Max(1, pieces);
        return new SliceSplit(cut < slice.To ? new Slice(cut, slice.To) : null, Plan(rest.From, rest.To, (rest.Seconds + pieces - 1) / pieces));
    }
}

/// <summary>How an oversized slice is cut: the part its first page finished, and the pieces left to fetch.</summary>
public sealed record SliceSplit(Slice? Head, IReadOnlyList<Slice> Pieces);
