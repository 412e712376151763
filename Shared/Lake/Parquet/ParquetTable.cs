namespace OpsConsole.Shared.Lake.Parquet;

/// <summary>
/// Rows held by column: one array per column, <c>bool?[]</c>, <c>long?[]</c>, <c>double?[]</c> or <c>string?[]</c>
/// as <see cref="ParquetColumnType"/> says, all of <see cref="RowCount"/> length.
/// </summary>
public sealed class ParquetTable
{
    public ParquetTable(IReadOnlyList<ParquetColumn> columns, IReadOnlyList<Array> values)
    {
        if (columns.Count == 0 || columns.Count != values.Count)
        {
            throw new ArgumentException("A table needs at least one column and one value array per column.", nameof(values));
        }
        RowCount = values[0].Length;
        for (var i = 0; i < columns.Count; i++)
        {
            var expected = ArrayType(columns[i].Type);
            if (values[i].GetType() != expected)
            {
                throw new ArgumentException($"Column {columns[i].Name} ({columns[i].Type}) needs a {expected.Name}, not a {values[i].GetType().Name}.", nameof(values));
            }
            if (values[i].Length != RowCount)
            {
                throw new ArgumentException($"Column {columns[i].Name} has {values[i].Length} values, the first column {RowCount}.", nameof(values));
            }
        }
        if (columns.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != columns.Count)
        {
            throw new ArgumentException("Column names must be unique.", nameof(columns));
        }
        Columns = columns;
        Values = values;
    }

    public IReadOnlyList<ParquetColumn> Columns { get; }

    public IReadOnlyList<Array> Values { get; }

    public int RowCount { get; }

    public Array this[string column] => Values[Columns.ToList().FindIndex(c => c.Name == column) is var i and >= 0 ? i
        : throw new KeyNotFoundException($"No column {column}.")];

    public static Type ArrayType(ParquetColumnType type) => type switch
    {
        ParquetColumnType.Boolean => typeof(bool?[]),
        ParquetColumnType.Double => typeof(double?[]),
        ParquetColumnType.String => typeof(string?[]),
        _ => typeof(long?[]),
    };
}
