namespace OpsConsole.Shared.Lake;

/// <summary>Where things live in the lake, relative to its root: one table per source and stream, and beside each a folder per run.</summary>
public static class LakePaths
{
    /// <summary>The Delta table of a stream: <c>raw/{source}/{stream}</c>.</summary>
    public static string Table(string source, string stream) => $"raw/{source}/{stream}";

    /// <summary>What a run leaves beside its table (quality report, log archive): <c>raw/{source}/{stream}/_runs/{runId}</c>.</summary>
    public static string Run(string source, string stream, string runId) => $"{Table(source, stream)}/_runs/{runId}";

    /// <summary>A run's data-quality report.</summary>
    public static string QualityReport(string source, string stream, string runId) => $"{Run(source, stream, runId)}/quality.json";

    /// <summary>A run's whole log as the console archived it (gzip of JSON lines).</summary>
    public static string LogArchive(string source, string stream, string runId) => $"{Run(source, stream, runId)}/log.jsonl.gz";
}
