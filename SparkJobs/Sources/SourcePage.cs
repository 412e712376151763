using System.Text.Json;

namespace OpsConsole.SparkJobs.Sources;

/// <summary>One list page as the source sent it (the raw bytes, for staging) and parsed. Dispose it when done.</summary>
public sealed class SourcePage(byte[] json, JsonDocument document) : IDisposable
{
    /// <summary>The response body exactly as received.</summary>
    public byte[] Json { get; } = json;

    public JsonElement Data => document.RootElement.GetProperty("data");

    public int Count => Data.GetArrayLength();

    public bool HasMore => document.RootElement.GetProperty("has_more").GetBoolean();

    /// <summary>The id of the last (oldest) object: the next page's <c>starting_after</c>.</summary>
    public string? LastId => Count == 0 ? null : Data[Count - 1].GetProperty("id").GetString();

    public void Dispose() => document.Dispose();
}
