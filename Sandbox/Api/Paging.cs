namespace OpsConsole.Sandbox.Api;

/// <summary>
/// Cursor pagination over rows kept in created order (index order), served newest first. A cursor is an index
/// (decoded from the object's id), so a page never scans what comes before it; only a type filter skips rows.
/// </summary>
public static class Paging
{
    /// <param name="low">First index inside the created window.</param>
    /// <param name="high">One past the last index inside the window (and visible).</param>
    /// <param name="startingAfter">Index of the <c>starting_after</c> object: the page holds older rows.</param>
    /// <param name="endingBefore">Index of the <c>ending_before</c> object: the page holds the newer rows just above it.</param>
    /// <param name="limit">Page size.</param>
    /// <param name="match">An extra filter, or null.</param>
    /// <returns>Indices, newest first, and whether more rows lie beyond the page in the direction of travel.</returns>
    public static (List<int> Indices, bool HasMore) Page(int low, int high, int? startingAfter, int? endingBefore, int limit, Func<int, bool>? match)
    {
        var page = new List<int>(limit);
        if (endingBefore is { } before)
        {
            var i = Math.Max(before + 1, low);
            for (; i < high && page.Count < limit; i++)
            {
                if (match is null || match(i))
                {
                    page.Add(i);
                }
            }
            page.Reverse();
            return (page, AnyMatch(i, high, +1, match));
        }

        var start = Math.Min(startingAfter is { } after ? after - 1 : high - 1, high - 1);
        var j = start;
        for (; j >= low && page.Count < limit; j--)
        {
            if (match is null || match(j))
            {
                page.Add(j);
            }
        }
        return (page, AnyMatch(j, low - 1, -1, match));
    }

    private static bool AnyMatch(int from, int stop, int step, Func<int, bool>? match)
    {
        for (var i = from; i != stop && (step > 0 ? i < stop : i > stop); i += step)
        {
            if (match is null || match(i))
            {
                return true;
            }
        }
        return false;
    }
}
