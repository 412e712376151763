using System.Text.Json.Serialization;

namespace OpsConsole.Shared.Lake.Delta;

/// <summary>One line of a Delta Lake commit file: exactly one of its properties is set.</summary>
public sealed record DeltaAction
{
    [JsonPropertyName("protocol")]
    public DeltaProtocol? Protocol { get; init; }

    [JsonPropertyName("metaData")]
    public DeltaMetadata? MetaData { get; init; }

    [JsonPropertyName("add")]
    public DeltaAdd? Add { get; init; }

    [JsonPropertyName("remove")]
    public DeltaRemove? Remove { get; init; }

    [JsonPropertyName("txn")]
    public DeltaTransaction? Txn { get; init; }

    [JsonPropertyName("commitInfo")]
    public Dictionary<string, object?>? CommitInfo { get; init; }
}

public sealed record DeltaProtocol(
    [property: JsonPropertyName("minReaderVersion")] int MinReaderVersion,
    [property: JsonPropertyName("minWriterVersion")] int MinWriterVersion);

public sealed record DeltaFormat(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("options")] Dictionary<string, string> Options);

public sealed record DeltaMetadata(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("format")] DeltaFormat Format,
    [property: JsonPropertyName("schemaString")] string SchemaString,
    [property: JsonPropertyName("partitionColumns")] IReadOnlyList<string> PartitionColumns,
    [property: JsonPropertyName("configuration")] Dictionary<string, string> Configuration,
    [property: JsonPropertyName("createdTime")] long CreatedTime);

public sealed record DeltaAdd(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("partitionValues")] Dictionary<string, string?> PartitionValues,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("modificationTime")] long ModificationTime,
    [property: JsonPropertyName("dataChange")] bool DataChange,
    [property: JsonPropertyName("stats")] string? Stats);

public sealed record DeltaRemove(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("deletionTimestamp")] long DeletionTimestamp,
    [property: JsonPropertyName("dataChange")] bool DataChange,
    [property: JsonPropertyName("extendedFileMetadata")] bool ExtendedFileMetadata,
    [property: JsonPropertyName("partitionValues")] Dictionary<string, string?> PartitionValues,
    [property: JsonPropertyName("size")] long Size);

/// <summary>An application's transaction marker: <see cref="AppId"/> committed <see cref="Version"/> (idempotent retries).</summary>
public sealed record DeltaTransaction(
    [property: JsonPropertyName("appId")] string AppId,
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("lastUpdated")] long LastUpdated);
