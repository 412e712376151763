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
    /// Whether a slice whose first (newest) full page reached back to
    /// <paramref name="oldestOnFirstPage"/> should be cut, and into which pieces (newest first). The page covered
    /// [oldest, To): at that density the slice would take <c>Seconds / (To - oldest)</c> pages. A slice above
    /// <paramref name="maxPages"/> is cut into pieces of about half that, never shorter than a second.
    /// </summary>
    public static IReadOnlyList<Slice>? Split(Slice slice, long oldestOnFirstPage, int maxPages)
    {
        var covered = Math.Max(1, slice.To - oldestOnFirstPage);
        var estimatedPages = (double)slice.Seconds / covered;
        if (estimatedPages <= maxPages || slice.Seconds < 2)
        {
            return null;
        }
        var pieces = (long)Math.Min(Math.Min(MaxPiecesPerSplit, slice.Seconds), Math.Ceiling(estimatedPages / Math.Max(1, maxPages / 2)));
        pieces = Math.Max(2, pieces);
        return Plan(slice.From, slice.To, (slice.Seconds + pieces - 1) / pieces);
    }
}
