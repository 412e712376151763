namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>The column types the lake uses, each with its Parquet physical and logical type.</summary>
public enum ParquetColumnType
{
    /// <summary>BOOLEAN; values are <c>bool?</c>.</summary>
    Boolean,

    /// <summary>INT64; values are <c>long?</c>.</summary>
    Int64,

    /// <summary>DOUBLE; values are <c>double?</c>.</summary>
    Double,

    /// <summary>BYTE_ARRAY with the STRING logical type; values are <c>string?</c>.</summary>
    String,

    /// <summary>INT64 with the TIMESTAMP(MICROS, UTC) logical type; values are <c>long?</c> microseconds since the epoch.</summary>
    TimestampMicros,
}

/// <summary>One column of a table: optional (nullable) unless said otherwise.</summary>
public sealed record ParquetColumn(string Name, ParquetColumnType Type, bool Nullable = true);
