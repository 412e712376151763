using System.Diagnostics;
using System.Globalization;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// Crash testing: with <c>SPARKJOBS_CRASH_AT=point[:n]</c> the job kills itself with SIGKILL the n-th time (default:
/// the first) it reaches that point, exactly as <c>kill -9</c> from outside would, but at a moment no timer can
/// hit reliably (between the table commit and the checkpoint write, say). Unset, every point is a no-op.
/// </summary>
public static class CrashPoints
{
    public const string Variable = "SPARKJOBS_CRASH_AT";

    /// <summary>A page of a slice is in staging.</summary>
    public const string PageStaged = "page-staged";

    /// <summary>A finished slice is recorded in the state store.</summary>
    public const string SliceRecorded = "slice-recorded";

    /// <summary>Everything is fetched and staged; nothing is transformed yet.</summary>
    public const string Staged = "staged";

    /// <summary>A table data file is written (not yet committed).</summary>
    public const string FileWritten = "file-written";

    /// <summary>The table commit is done; the checkpoint is not written yet.</summary>
    public const string Committed = "committed";

    /// <summary>The checkpoint is written; the staging is not deleted yet.</summary>
    public const string Checkpointed = "checkpointed";

    public static readonly IReadOnlyList<string> All = [PageStaged, SliceRecorded, Staged, FileWritten, Committed, Checkpointed];

    private static readonly (string Point, int Hit)? Target = Parse(Environment.GetEnvironmentVariable(Variable));
    private static int _hits;

    public static void Reach(string point)
    {
        if (Target is { } target && target.Point == point && Interlocked.Increment(ref _hits) == target.Hit)
        {
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private static (string, int)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var parts = value.Split(':', 2);
        return (parts[0], parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hit) && hit > 0 ? hit : 1);
    }
}
