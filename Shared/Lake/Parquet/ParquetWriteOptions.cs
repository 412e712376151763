namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>How tables are written.</summary>
public sealed record ParquetWriteOptions
{
    /// <summary>
    /// Rows per row group: enough for few footer entries and good compression, few enough that a row group is written
    /// from memory the merge already holds (it writes one partition, a day of rows, at a time).
    /// </summary>
    public int RowGroupRows { get; init; } = 64 * 1024;
}
