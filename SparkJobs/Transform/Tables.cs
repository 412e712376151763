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
            var array = Array.CreateInstance(ParquetTable.ArrayType(columns[c].Type).GetElementType()!, rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                array.SetValue(rows[r][c], r);
            }
            values[c] = array;
        }
        return new ParquetTable(columns, values);
    }

    public static List<object?[]> ToRows(ParquetTable table)
    {
        var rows = new List<object?[]>(table.RowCount);
        for (var r = 0; r < table.RowCount; r++)
        {
            var row = new object?[table.Columns.Count];
            for (var c = 0; c < table.Columns.Count; c++)
            {
                row[c] = table.Values[c].GetValue(r);
            }
            rows.Add(row);
        }
        return rows;
    }
}
