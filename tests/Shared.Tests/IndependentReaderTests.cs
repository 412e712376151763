using System.Globalization;
using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.TestSupport;

namespace OpsConsole.Shared.Tests;

/// <summary>DuckDB and hyparquet (npm, under tests/tools) read what we write and see exactly our rows.</summary>
public sealed class IndependentReaderTests
{
    [Fact]
    public async Task DuckDbAndHyparquet_ReadOurFile_AsWeWroteIt()
    {
        var table = ParquetTestData.Table(5000);
        var path = Path.Combine(Path.GetTempPath(), $"opsconsole-{Guid.NewGuid():N}.parquet");
        await using (var file = File.Create(path))
        {
            await new ParquetFormat(new ParquetWriteOptions { RowGroupRows = 2000 }).WriteAsync(file, table);
        }

        try
        {
            var result = await ReadWithNodeAsync(path);

            var duck = result.GetProperty("duckdb");
            var types = duck.GetProperty("types");
            Assert.Equal("VARCHAR", types.GetProperty("id").GetString());
            Assert.Equal("BIGINT", types.GetProperty("amount").GetString());
            Assert.Equal("BOOLEAN", types.GetProperty("refunded").GetString());
            Assert.Equal("DOUBLE", types.GetProperty("score").GetString());
            Assert.Equal("TIMESTAMP WITH TIME ZONE", types.GetProperty("created").GetString());
            AssertRows(table, duck.GetProperty("rows"));

            var hyparquet = result.GetProperty("hyparquet");
            Assert.Equal(5000, hyparquet.GetProperty("numRows").GetInt32());
            Assert.Equal(3, hyparquet.GetProperty("rowGroups").GetInt32());
            // hyparquet turns timestamps into JavaScript dates: millisecond precision.
            AssertRows(table, hyparquet.GetProperty("rows"), timestampsInMilliseconds: true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task DuckDb_ReadsAnEmptyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"opsconsole-{Guid.NewGuid():N}.parquet");
        await using (var file = File.Create(path))
        {
            await new ParquetFormat().WriteAsync(file, ParquetTestData.Table(0));
        }

        try
        {
            var result = await ReadWithNodeAsync(path);

            Assert.Equal(0, result.GetProperty("duckdb").GetProperty("rows").GetArrayLength());
            Assert.Equal(7, result.GetProperty("duckdb").GetProperty("types").EnumerateObject().Count());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertRows(ParquetTable table, JsonElement rows, bool timestampsInMilliseconds = false)
    {
        Assert.Equal(table.RowCount, rows.GetArrayLength());
        var i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            for (var c = 0; c < table.Columns.Count; c++)
            {
                var column = table.Columns[c];
                var expected = table.Values[c].GetValue(i);
                var actual = row.GetProperty(column.Name);
                if (expected is null)
                {
                    Assert.True(actual.ValueKind == JsonValueKind.Null, $"row {i} {column.Name}: expected null, got {actual}");
                    continue;
                }
                switch (expected)
                {
                    case long number:
                        if (timestampsInMilliseconds && column.Type == ParquetColumnType.TimestampMicros)
                        {
                            number = number / 1000 * 1000;
                        }
                        Assert.Equal(number.ToString(CultureInfo.InvariantCulture), actual.ValueKind == JsonValueKind.String ? actual.GetString() : actual.GetRawText());
                        break;
                    case double number:
                        Assert.Equal(number, actual.GetDouble());
                        break;
                    case bool flag:
                        Assert.Equal(flag, actual.GetBoolean());
                        break;
                    default:
                        Assert.Equal((string)expected, actual.GetString());
                        break;
                }
            }
            i++;
        }
    }

    private static Task<JsonElement> ReadWithNodeAsync(string path) => NodeTools.RunJsonAsync("parquet-read.mjs", "hyparquet", path);
}
