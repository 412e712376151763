namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>How tables are written.</summary>
public sealed record ParquetWriteOptions
{
    /// <summary>Rows per row group: large enough for good compression and few footer entries, small enough to stream.</summary>
    public int RowGroupRows { get; init; } = 64 * 1024;
}
