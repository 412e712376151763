namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>What a Parquet file's footer says, beside its rows.</summary>
public sealed record ParquetFileInfo(long Rows, string? CreatedBy, IReadOnlyList<ParquetRowGroupInfo> RowGroups);

/// <summary>One row group and its column chunks.</summary>
public sealed record ParquetRowGroupInfo(long Rows, IReadOnlyList<ParquetChunkInfo> Columns);

/// <summary>One column chunk: its codec, encodings and statistics (min and max as the raw little-endian or UTF-8 bytes).</summary>
public sealed record ParquetChunkInfo(string Column, int Codec, IReadOnlyList<int> Encodings, long NullCount, byte[]? Min, byte[]? Max);
