namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>The lake's file format: what the job writes and what <c>verify</c> and the console read back.</summary>
public interface ITableFormat
{
    /// <summary>The file name extension, with its dot.</summary>
    string Extension { get; }

    void Write(Stream output, ParquetTable table);

    /// <summary>
    /// The rows and the footer's description of a file, or only the <paramref name="only"/> columns (the others all
    /// null); InvalidDataException when the file is not one this format reads.
    /// </summary>
    (ParquetTable Table, ParquetFileInfo Info) Read(ReadOnlySpan<byte> file, IReadOnlyCollection<string>? only = null);
}

/// <summary>Parquet with Snappy pages (Console.Server and SparkJobs use this one).</summary>
public sealed class ParquetFormat(ParquetWriteOptions? options = null) : ITableFormat
{
    private readonly ParquetWriteOptions _options = options ?? new ParquetWriteOptions();

    public string Extension => ".parquet";

    public void Write(Stream output, ParquetTable table) => ParquetWriter.Write(output, table, _options);

    public (ParquetTable Table, ParquetFileInfo Info) Read(ReadOnlySpan<byte> file, IReadOnlyCollection<string>? only = null) =>
        ParquetReader.Read(file, only);
}
