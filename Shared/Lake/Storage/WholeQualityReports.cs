using OpsConsole.Shared.Quality;

namespace OpsConsole.Shared.Lake.Storage;

/// <summary>Turns a report a store kept shortened (<see cref="QualityReport.FullReport"/>) back into the whole one from the lake.</summary>
public static class WholeQualityReports
{
    /// <summary>
    /// The whole report: <paramref name="report"/> itself, or the lake's copy it points at. A pointer whose file is gone
    /// or unreadable leaves the shortened report, which still carries the outcome and every rule's result.
    /// </summary>
    public static async Task<QualityReport> WholeAsync(this QualityReport report, ILakeStorage lake, CancellationToken cancellationToken = default)
    {
        if (report.FullReport is not { } path || await lake.ReadAsync(path, cancellationToken) is not { } bytes)
        {
            return report;
        }
        try
        {
            return QualityReport.FromJson(System.Text.Encoding.UTF8.GetString(bytes));
        }
        catch (System.Text.Json.JsonException)
        {
            return report;
        }
    }
}
