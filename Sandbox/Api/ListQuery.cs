using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace OpsConsole.Sandbox.Api;

/// <summary>
/// A list request's parameters, validated as Stripe does: unknown parameters, bad integers, a limit outside 1..100,
/// both cursors at once, or both <c>type</c> and <c>types[]</c> are 400 errors naming the parameter.
/// </summary>
public sealed record ListQuery(
    int Limit,
    string? StartingAfter,
    string? EndingBefore,
    long CreatedFrom,
    long CreatedTo,
    string? Type,
    IReadOnlyList<string> Types,
    bool? DeliverySuccess = null,
    IReadOnlyDictionary<string, string>? Filters = null)
{
    public const int MaxTypes = 20;

    /// <summary>
    /// Parses the query string; <paramref name="events"/> allows the events list's extra parameters and
    /// <paramref name="filters"/> names the equality filters the list accepts (e.g. <c>customer</c> on charges).
    /// </summary>
    public static ListQuery Parse(IQueryCollection query, bool events, IReadOnlyCollection<string>? filters = null)
    {
        bool? deliverySuccess = null;
        var filterValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var limit = 10;
        string? startingAfter = null, endingBefore = null, type = null;
        long from = long.MinValue, to = long.MaxValue; // created in [from, to]
        var types = new List<string>();

        foreach (var (key, values) in query)
        {
            var value = Last(values);
            switch (key)
            {
                case "limit":
                    limit = (int)Integer(key, value, 1, 100);
                    break;
                case "starting_after":
                    startingAfter = value;
                    break;
                case "ending_before":
                    endingBefore = value;
                    break;
                case "created":
                    var exact = Integer(key, value, 0, long.MaxValue);
                    from = Math.Max(from, exact);
                    to = Math.Min(to, exact);
                    break;
                case "created[gt]":
                    from = Math.Max(from, Integer(key, value, 0, long.MaxValue - 1) + 1);
                    break;
                case "created[gte]":
                    from = Math.Max(from, Integer(key, value, 0, long.MaxValue));
                    break;
                case "created[lt]":
                    to = Math.Min(to, Integer(key, value, 1, long.MaxValue) - 1);
                    break;
                case "created[lte]":
                    to = Math.Min(to, Integer(key, value, 0, long.MaxValue));
                    break;
                case "type" when events:
                    type = value;
                    break;
                case "delivery_success" when events:
                    deliverySuccess = value switch
                    {
                        "true" => true,
                        "false" => false,
                        _ => throw new StripeErrorException(StripeError.InvalidParameter(key, $"Invalid boolean: {value}")),
                    };
                    break;
                case var k when filters?.Contains(k) == true:
                    filterValues[k] = value;
                    break;
                case var k when events && (k == "types[]" || IsIndexed(k, "types")):
                    types.AddRange(values.Where(v => !string.IsNullOrEmpty(v))!);
                    break;
                case var k when k == "expand[]" || IsIndexed(k, "expand"):
                    // Expansion is accepted and ignored: the Sandbox always returns ids (as events do).
                    break;
                default:
                    throw new StripeErrorException(StripeError.UnknownParameter(key));
            }
        }

        if (startingAfter is not null && endingBefore is not null)
        {
            throw new StripeErrorException(StripeError.InvalidParameter("ending_before",
                "You may only specify one of these parameters: ending_before, starting_after."));
        }
        if (type is not null && types.Count > 0)
        {
            throw new StripeErrorException(StripeError.InvalidParameter("types",
                "You may only specify one of these parameters: type, types."));
        }
        if (types.Count > MaxTypes)
        {
            throw new StripeErrorException(StripeError.InvalidParameter("types",
                $"You may only specify up to {MaxTypes} types (got {types.Count})."));
        }
        return new ListQuery(limit, startingAfter, endingBefore, from, to, type, types, deliverySuccess, filterValues);
    }

    /// <summary>Whether an event type name passes the <c>type</c> (with <c>*</c> wildcards) or <c>types[]</c> filter.</summary>
    public bool MatchesType(string name)
    {
        if (Types.Count > 0)
        {
            return Types.Contains(name);
        }
        if (Type is null)
        {
            return true;
        }
        if (Type.EndsWith(".*", StringComparison.Ordinal))
        {
            return name.StartsWith(Type[..^1], StringComparison.Ordinal);
        }
        return Type == "*" || name == Type;
    }

    public bool FiltersType => Type is not null || Types.Count > 0;

    /// <summary>Which of <paramref name="names"/> (indexed by event type) pass the type filter: one lookup per row.</summary>
    public bool[] TypeMask(IReadOnlyList<string> names) => [.. names.Select(MatchesType)];

    /// <summary>The value of an equality filter, if given.</summary>
    public string? Filter(string name) => Filters is not null && Filters.TryGetValue(name, out var value) ? value : null;

    private static string Last(StringValues values) => values.Count == 0 ? "" : values[^1] ?? "";

    private static bool IsIndexed(string key, string name) =>
        key.Length > name.Length + 2 && key.StartsWith(name + "[", StringComparison.Ordinal) && key[^1] == ']' &&
        int.TryParse(key.AsSpan(name.Length + 1, key.Length - name.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static long Integer(string param, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new StripeErrorException(StripeError.InvalidParameter(param, $"Invalid integer: {text}"));
        }
        if (value < min)
        {
            throw new StripeErrorException(StripeError.InvalidParameter(param, $"This value must be greater than or equal to {min}."));
        }
        if (value > max)
        {
            throw new StripeErrorException(StripeError.InvalidParameter(param, $"This value must be less than or equal to {max}."));
        }
        return value;
    }
}
