using OpsConsole.Shared.Validation;

namespace OpsConsole.Shared.Runs;

/// <summary>
/// One page of the runs list, sorted and filtered by the store (the Runs grid asks for exactly what it shows, so a
/// store of 100,000 runs costs one indexed page, not a download of every run).
/// </summary>
public sealed record RunQuery
{
    /// <summary>The most runs one page may hold.</summary>
    public const int MaxLimit = 500;

    /// <summary>The runs to skip (page index times page size).</summary>
    public int Offset { get; init; }

    public int Limit { get; init; } = 25;

    /// <summary>One of <see cref="RunFields.Sortable"/>; newest created first by default.</summary>
    public string SortBy { get; init; } = RunFields.Created;

    public bool Descending { get; init; } = true;

    public IReadOnlyList<RunFilter> Filters { get; init; } = [];

    /// <summary>Throws <see cref="InvalidFieldException"/> naming the first wrong part.</summary>
    public void Validate()
    {
        if (Offset < 0)
        {
            throw new InvalidFieldException("offset", $"offset must be 0 or more, not {Offset}.");
        }
        if (Limit is < 1 or > MaxLimit)
        {
            throw new InvalidFieldException("limit", $"limit must be between 1 and {MaxLimit}, not {Limit}.");
        }
        if (!RunFields.Sortable.Contains(SortBy))
        {
            throw new InvalidFieldException("sort", $"Runs cannot be sorted by '{InvalidFieldException.Quote(SortBy)}'; use one of {string.Join(", ", RunFields.Sortable)}.");
        }
        foreach (var filter in Filters)
        {
            filter.Validate();
        }
    }
}

/// <summary>One condition on a run field: <c>stream contains "charges"</c>, <c>records &gt;= 1000</c>.</summary>
public sealed record RunFilter(string Field, string Operator, string? Value)
{
    public void Validate()
    {
        if (RunFields.TextFilterable.Contains(Field))
        {
            if (!RunFilterOperators.Text.Contains(Operator))
            {
                throw new InvalidFieldException($"filter.{Field}", $"'{InvalidFieldException.Quote(Operator)}' is not a text filter; use one of {string.Join(", ", RunFilterOperators.Text)}.");
            }
        }
        else if (Field == RunFields.Records)
        {
            if (!RunFilterOperators.Number.Contains(Operator))
            {
                throw new InvalidFieldException($"filter.{Field}", $"'{InvalidFieldException.Quote(Operator)}' is not a number filter; use one of {string.Join(", ", RunFilterOperators.Number)}.");
            }
            if (!long.TryParse(Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                throw new InvalidFieldException($"filter.{Field}", $"'{InvalidFieldException.Quote(Value ?? "")}' is not a whole number.");
            }
        }
        else
        {
            throw new InvalidFieldException("filter", $"Runs cannot be filtered by '{InvalidFieldException.Quote(Field)}'; use one of {string.Join(", ", [.. RunFields.TextFilterable, RunFields.Records])}.");
        }
        if (Value is null && !RunFilterOperators.WithoutValue.Contains(Operator))
        {
            throw new InvalidFieldException($"filter.{Field}", $"The '{InvalidFieldException.Quote(Operator)}' filter on {Field} needs a value.");
        }
    }
}

/// <summary>The run fields a query sorts or filters on.</summary>
public static class RunFields
{
    public const string Id = "id";
    public const string State = "state";
    public const string Stream = "stream";
    public const string Created = "created";
    public const string Started = "started";
    public const string Duration = "duration";
    public const string Records = "records";
    public const string RecordsPerSecond = "records_per_second";
    public const string LaunchedBy = "launched_by";
    public const string Runner = "runner";
    public const string Quality = "quality";

    public static IReadOnlyList<string> Sortable { get; } = [Created, Id, State, Stream, Started, Duration, Records, RecordsPerSecond, LaunchedBy, Runner];

    public static IReadOnlyList<string> TextFilterable { get; } = [Id, State, Stream, LaunchedBy, Runner, Quality];

}

/// <summary>The filter operators, named as the data grid names them.</summary>
public static class RunFilterOperators
{
    public const string Contains = "contains";
    public const string NotContains = "not contains";
    public const string Equal = "equals";
    public const string NotEqual = "not equals";
    public const string StartsWith = "starts with";
    public const string EndsWith = "ends with";
    public const string Empty = "is empty";
    public const string NotEmpty = "is not empty";

    public static IReadOnlyList<string> Text { get; } = [Contains, NotContains, Equal, NotEqual, StartsWith, EndsWith, Empty, NotEmpty];

    public static IReadOnlyList<string> Number { get; } = ["=", "!=", ">", ">=", "<", "<="];

    public static IReadOnlyList<string> WithoutValue { get; } = [Empty, NotEmpty];
}

/// <summary>A page of runs and how many runs match the filters in all.</summary>
public sealed record RunPage(IReadOnlyList<RunInfo> Runs, int Total);
