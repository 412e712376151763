using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.SparkJobs.Transform;

/// <summary>Conversions between row-wise values and column-wise tables.</summary>
public static class Tables
{
    public static ParquetTable FromRows(IReadOnlyList<ParquetColumn> columns, IReadOnlyList<object?[]> rows)
    {
        var values = new Array[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            values[c] = columns[c].Type switch
            {
                ParquetColumnType.Boolean => Column<bool?>(rows, c),
                ParquetColumnType.Double => Column<double?>(rows, c),
                ParquetColumnType.String => Column<string?>(rows, c),
                _ => Column<long?>(rows, c),
            };
        }
        return new ParquetTable(columns, values);
    }

    public static List<object?[]> ToRows(ParquetTable table)
    {
        var rows = new List<object?[]>(table.RowCount);
        for (var r = 0; r < table.RowCount; r++)
        {
            rows.Add(new object?[table.Columns.Count]);
        }
        for (var c = 0; c < table.Columns.Count; c++)
        {
            switch (table.Values[c])
            {
                case string?[] strings:
                    Fill(rows, c, strings);
                    break;
                case long?[] longs:
                    Fill(rows, c, longs);
                    break;
                case bool?[] booleans:
                    Fill(rows, c, booleans);
                    break;
                case double?[] doubles:
                    Fill(rows, c, doubles);
                    break;
                default:
                    throw new InvalidDataException($"Column {table.Columns[c].Name} holds a {table.Values[c].GetType().Name}.");
            }
        }
        return rows;
    }

    private static T[] Column<T>(IReadOnlyList<object?[]> rows, int column)
    {
        var values = new T[rows.Count];
        for (var r = 0; r < values.Length; r++)
        {
            values[r] = (T)rows[r][column]!;
        }
        return values;
    }

    private static void Fill<T>(List<object?[]> rows, int column, T[] values)
    {
        for (var r = 0; r < values.Length; r++)
        {
            rows[r][column] = values[r];
        }
    }
}
