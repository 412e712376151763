namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>The lake's file format: what the job writes and what <c>verify</c> and the console read back.</summary>
public interface ITableFormat
{
    /// <summary>The file name extension, with its dot.</summary>
    string Extension { get; }

    Task WriteAsync(Stream output, ParquetTable table, CancellationToken cancellationToken = default);

    /// <summary>
    /// A file's rows. With <paramref name="columns"/> (a table's schema), the rows come in those columns, matched by
    /// name: a column the file lacks (a file written before the column was added) is all null, a file column not
    /// named is skipped. Without it, the file's own columns. With <paramref name="only"/>, only those columns are
    /// read (the others are all null). InvalidDataException when the file is not one this format reads, or a
    /// column's type differs from the schema's.
    /// </summary>
    Task<ParquetTable> ReadAsync(ReadOnlyMemory<byte> file, IReadOnlyList<ParquetColumn>? columns = null, IReadOnlyCollection<string>? only = null,
        CancellationToken cancellationToken = default);
}
