using System.Text.Json;

namespace OpsConsole.Web;

/// <summary>
/// What an audit entry changed, field by field, from its before and after JSON objects: each field that differs (or
/// is only on one side) with both values as plain text. A side that is not a JSON object reads as one field,
/// <c>value</c>.
/// </summary>
public static class FieldDiff
{
    public sealed record Change(string Field, string Before, string After);

    public static IReadOnlyList<Change> Of(string? before, string? after)
    {
        var (left, right) = (Fields(before), Fields(after));
        return [.. left.Keys.Union(right.Keys, StringComparer.Ordinal)
            .Select(field => new Change(field, left.GetValueOrDefault(field, "—"), right.GetValueOrDefault(field, "—")))
            .Where(change => change.Before != change.After)];
    }

    /// <summary>The most of a value the audit grid shows in its row; the whole value is its tooltip.</summary>
    public const int ShortLength = 120;

    /// <summary>
    /// A value as one short line: a long or multi-line one (a rules file) is cut at its first line or
    /// <see cref="ShortLength"/> characters and says how much there is.
    /// </summary>
    public static string Short(string value)
    {
        var lines = value.Count(c => c == '\n') + (value.EndsWith('\n') ? 0 : 1);
        var first = value.Split('\n', 2)[0];
        if (lines <= 1 && value.Length <= ShortLength)
        {
            return value;
        }
        var cut = first.Length > ShortLength ? first[..ShortLength] : first;
        return lines > 1 ? $"{cut}… ({lines} lines)" : $"{cut}… ({value.Length:N0} characters)";
    }

    private static Dictionary<string, string> Fields(string? json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return fields;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                fields["value"] = Text(document.RootElement);
                return fields;
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                fields[property.Name] = Text(property.Value);
            }
        }
        catch (JsonException)
        {
            fields["value"] = json;
        }
        return fields;
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
