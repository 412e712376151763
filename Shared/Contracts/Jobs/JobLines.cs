using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpsConsole.Shared.Jobs;

/// <summary>Writes and reads the job's lines (<see cref="JobEvents"/>): one flat JSON object each.</summary>
public static class JobLines
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions ExtraOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// One line: the header, then the event's fields, then the usage, then free-form <paramref name="extra"/> fields
    /// (context for people reading the log; the console reads only the typed parts).
    /// </summary>
    public static string Format<TEvent>(JobLineHeader header, TEvent? payload, JsonTypeInfo<TEvent>? payloadType, JobUsage? usage = null,
        IReadOnlyDictionary<string, object?>? extra = null)
        where TEvent : class
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("ts", header.Ts);
            writer.WriteString("level", header.Level);
            writer.WriteString("source", header.Source);
            writer.WriteString("event", header.Event);
            writer.WriteString("msg", header.Msg);
            if (payload is not null && payloadType is not null)
            {
                WriteMembers(writer, JsonSerializer.SerializeToElement(payload, payloadType));
            }
            if (usage is not null)
            {
                WriteMembers(writer, JsonSerializer.SerializeToElement(usage, JobJsonContext.Default.JobUsage));
            }
            foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
            {
                writer.WritePropertyName(key);
                // Context values are whatever the job had at hand (lists, maps, records): written as System.Text.Json sees them.
                JsonSerializer.Serialize(writer, value, value?.GetType() ?? typeof(object), ExtraOptions);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A line without event fields (a <c>log</c> line).</summary>
    public static string Format(JobLineHeader header, JobUsage? usage = null, IReadOnlyDictionary<string, object?>? extra = null) =>
        Format<JobUsage>(header, null, null, usage, extra);

    /// <summary>The header of a JSON line, or null for anything else (a plain-text line, a JSON value that is not an object).</summary>
    public static JobLineHeader? ReadHeader(string text)
    {
        if (text.Length < 2 || text[0] != '{')
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? new JobLineHeader(Text(root, "ts"), Text(root, "level"), Text(root, "source"), Text(root, "event"), Text(root, "msg"))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The typed part of a line, or null when the line does not carry one that reads as <typeparamref name="T"/>
    /// (a field of the wrong type, a line cut short): the line is then kept as it is.
    /// </summary>
    public static T? Read<T>(string text, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(text, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The usage a line reports, or null when it reports none.</summary>
    public static JobUsage? ReadUsage(string text) =>
        text.Contains("\"cpu_seconds\"", StringComparison.Ordinal) ? Read(text, JobJsonContext.Default.JobUsage) : null;

    private static void WriteMembers(Utf8JsonWriter writer, JsonElement element)
    {
        foreach (var property in element.EnumerateObject())
        {
            property.WriteTo(writer);
        }
    }

    private static string Text(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Undefined or JsonValueKind.Null => "",
        _ => value.GetRawText(),
    } : "";
}
