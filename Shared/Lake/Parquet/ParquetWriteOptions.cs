namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>How tables are written.</summary>
public sealed record ParquetWriteOptions
{
    /// <summary>
    /// Rows per row group: 65,536 rows of a Stripe object (about 0.5 KiB each before compression) are a row group of
    /// tens of MiB, large enough for good compression and few footer entries, small enough to write in bounded memory.
    /// </summary>
    public int RowGroupRows { get; init; } = 64 * 1024;
}
