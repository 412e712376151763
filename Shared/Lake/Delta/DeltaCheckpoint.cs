using System.Text.Json.Serialization;
using Parquet.Serialization;

namespace OpsConsole.Shared.Lake.Delta;

/// <summary>
/// A Delta checkpoint (<c>_delta_log/NNNNNNNNNNNNNNNNNNNN.checkpoint.parquet</c>, a classic single-file checkpoint):
/// a table's state at one version as Parquet, one action per row in the protocol's columns <c>txn</c>, <c>add</c>,
/// <c>metaData</c> and <c>protocol</c> (structs, maps and lists as the protocol describes them), so a
/// snapshot reads it and only the commits after it. Written with Parquet.Net's class serializer. Holds the protocol,
/// the metadata, every application transaction and every live file; removed files (tombstones) are not kept, so
/// another engine's vacuum goes by file age alone.
/// </summary>
internal static class DeltaCheckpoint
{
    public static async Task<byte[]> WriteAsync(DeltaSnapshot snapshot, CancellationToken cancellationToken)
    {
        var rows = new List<Row>
        {
            new() { Protocol = snapshot.Protocol is { } p ? new ProtocolColumn { MinReaderVersion = p.MinReaderVersion, MinWriterVersion = p.MinWriterVersion } : null },
        };
        if (snapshot.Metadata is { } m)
        {
            rows.Add(new Row
            {
                MetaData = new MetadataColumn
                {
                    Id = m.Id,
                    Format = new FormatColumn { Provider = m.Format.Provider, Options = m.Format.Options },
                    SchemaString = m.SchemaString,
                    PartitionColumns = [.. m.PartitionColumns],
                    Configuration = m.Configuration,
                    CreatedTime = m.CreatedTime,
                },
            });
        }
        rows.AddRange(snapshot.Transactions.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Row
        {
            Txn = new TxnColumn { AppId = t.Key, Version = t.Value },
        }));
        rows.AddRange(snapshot.Files.Values.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => new Row
        {
            Add = new AddColumn
            {
                Path = f.Path,
                PartitionValues = f.PartitionValues,
                Size = f.Size,
                ModificationTime = f.ModificationTime,
                DataChange = f.DataChange,
                Stats = f.Stats,
            },
        }));
        using var buffer = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, buffer, cancellationToken: cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>The state a checkpoint holds, as the actions that make it.</summary>
    public static async Task<List<DeltaAction>> ReadAsync(byte[] file, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(file, writable: false);
        var rows = (await ParquetSerializer.DeserializeAsync<Row>(stream, cancellationToken: cancellationToken)).Data;
        var actions = new List<DeltaAction>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Protocol is { } p)
            {
                actions.Add(new DeltaAction { Protocol = new DeltaProtocol(p.MinReaderVersion, p.MinWriterVersion) });
            }
            if (row.MetaData is { } m)
            {
                actions.Add(new DeltaAction
                {
                    MetaData = new DeltaMetadata(m.Id ?? "", new DeltaFormat(m.Format?.Provider ?? "parquet", m.Format?.Options ?? []), m.SchemaString ?? "",
                        m.PartitionColumns ?? [], m.Configuration ?? [], m.CreatedTime),
                });
            }
            if (row.Txn is { } t)
            {
                actions.Add(new DeltaAction { Txn = new DeltaTransaction(t.AppId ?? "", t.Version, t.LastUpdated ?? 0) });
            }
            if (row.Add is { } a)
            {
                actions.Add(new DeltaAction
                {
                    Add = new DeltaAdd(a.Path ?? "", a.PartitionValues?.ToDictionary(v => v.Key, v => (string?)v.Value, StringComparer.Ordinal) ?? [],
                        a.Size, a.ModificationTime, a.DataChange, a.Stats),
                });
            }
        }
        return actions;
    }

    /// <summary>One row of a checkpoint: exactly one column set.</summary>
    private sealed class Row
    {
        [JsonPropertyName("txn")]
        public TxnColumn? Txn { get; set; }

        [JsonPropertyName("add")]
        public AddColumn? Add { get; set; }

        [JsonPropertyName("metaData")]
        public MetadataColumn? MetaData { get; set; }

        [JsonPropertyName("protocol")]
        public ProtocolColumn? Protocol { get; set; }
    }

    private sealed class TxnColumn
    {
        [JsonPropertyName("appId")]
        public string? AppId { get; set; }

        [JsonPropertyName("version")]
        public long Version { get; set; }

        [JsonPropertyName("lastUpdated")]
        public long? LastUpdated { get; set; }
    }

    private sealed class AddColumn
    {
        [JsonPropertyName("path")]
        public string? Path { get; set; }

        [JsonPropertyName("partitionValues")]
        public Dictionary<string, string?>? PartitionValues { get; set; }

        [JsonPropertyName("size")]
        public long Size { get; set; }

        [JsonPropertyName("modificationTime")]
        public long ModificationTime { get; set; }

        [JsonPropertyName("dataChange")]
        public bool DataChange { get; set; }

        [JsonPropertyName("stats")]
        public string? Stats { get; set; }
    }

    private sealed class MetadataColumn
    {
        [JsonPropertyName("id")]
        public string? Id { get; set; }

        [JsonPropertyName("format")]
        public FormatColumn? Format { get; set; }

        [JsonPropertyName("schemaString")]
        public string? SchemaString { get; set; }

        [JsonPropertyName("partitionColumns")]
        public List<string>? PartitionColumns { get; set; }

        [JsonPropertyName("configuration")]
        public Dictionary<string, string>? Configuration { get; set; }

        [JsonPropertyName("createdTime")]
        public long CreatedTime { get; set; }
    }

    private sealed class FormatColumn
    {
        [JsonPropertyName("provider")]
        public string? Provider { get; set; }

        [JsonPropertyName("options")]
        public Dictionary<string, string>? Options { get; set; }
    }

    private sealed class ProtocolColumn
    {
        [JsonPropertyName("minReaderVersion")]
        public int MinReaderVersion { get; set; }

        [JsonPropertyName("minWriterVersion")]
        public int MinWriterVersion { get; set; }
    }
}
