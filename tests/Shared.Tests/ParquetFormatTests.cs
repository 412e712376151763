using System.Text;
using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.Shared.Tests;

public sealed class ParquetFormatTests
{
    [Fact]
    public void RoundTrip_ManyRowGroups_ReturnsEveryValueAndNull()
    {
        var table = ParquetTestData.Table(150_000);
        var format = new ParquetFormat();

        var (read, info) = format.Read(Write(format, table));

        Assert.Equal(table.Columns, read.Columns);
        for (var c = 0; c < table.Columns.Count; c++)
        {
            Assert.Equal(table.Values[c].Cast<object?>(), read.Values[c].Cast<object?>());
        }
        Assert.Equal(3, info.RowGroups.Count);
        Assert.Equal(150_000, info.Rows);
        Assert.Equal("OpsConsole parquet writer 1.0", info.CreatedBy);
    }

    [Fact]
    public void Write_Statistics_AreMinMaxAndNullCountPerRowGroup()
    {
        var table = ParquetTestData.Table(1000);
        var format = new ParquetFormat(new ParquetWriteOptions { RowGroupRows = 400 });

        var (_, info) = format.Read(Write(format, table));

        var amounts = (long?[])table["amount"];
        var second = info.RowGroups[1].Columns.Single(c => c.Column == "amount");
        var slice = amounts[400..800];
        Assert.Equal(slice.Count(a => a is null), second.NullCount);
        Assert.Equal(slice.Min()!.Value, BitConverter.ToInt64(second.Min));
        Assert.Equal(slice.Max()!.Value, BitConverter.ToInt64(second.Max));
        var ids = info.RowGroups[0].Columns.Single(c => c.Column == "id");
        Assert.Equal("ch_00000000", Encoding.UTF8.GetString(ids.Min!));
        Assert.Equal("ch_00000399", Encoding.UTF8.GetString(ids.Max!));
        Assert.All(info.RowGroups.SelectMany(g => g.Columns), c => Assert.Equal(1, c.Codec));
    }

    [Fact]
    public void Write_LowCardinalityStrings_AreDictionaryEncoded_UniqueOnesAreNot()
    {
        var format = new ParquetFormat();

        var (_, info) = format.Read(Write(format, ParquetTestData.Table(5000)));

        var chunks = info.RowGroups[0].Columns.ToDictionary(c => c.Column);
        Assert.Contains(8, chunks["currency"].Encodings);
        Assert.DoesNotContain(8, chunks["id"].Encodings);
        Assert.DoesNotContain(8, chunks["amount"].Encodings);
    }

    [Fact]
    public void RoundTrip_EmptyTable_HasTheSchemaAndNoRows()
    {
        var format = new ParquetFormat();
        var empty = ParquetTestData.Table(0);

        var (read, info) = format.Read(Write(format, empty));

        Assert.Equal(0, read.RowCount);
        Assert.Equal(empty.Columns, read.Columns);
        Assert.Equal(0, info.Rows);
    }

    [Fact]
    public void Write_NullInARequiredColumn_NamesTheColumnAndRow()
    {
        string?[] ids = ["a", null];
        var table = new ParquetTable([new ParquetColumn("id", ParquetColumnType.String, Nullable: false)], [ids]);

        var exception = Assert.Throws<ArgumentException>(() => Write(new ParquetFormat(), table));

        Assert.Contains("Column id is not nullable but row 1 has no value", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_WrongArrayForTheType_NamesTheColumn()
    {
        string?[] text = ["1"];
        var exception = Assert.Throws<ArgumentException>(() => new ParquetTable([new ParquetColumn("amount", ParquetColumnType.Int64)], [text]));

        Assert.Contains("Column amount (Int64) needs a Nullable`1[]", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("magic")]
    [InlineData("footer")]
    public void Read_DamagedFile_IsRefusedClearly(string damage)
    {
        var bytes = Write(new ParquetFormat(), ParquetTestData.Table(100));
        var damaged = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "magic" => [.. "XXXX"u8.ToArray(), .. bytes[4..]],
            _ => [.. bytes[..^8], 0xFF, 0xFF, 0xFF, 0x7F, .. "PAR1"u8.ToArray()],
        };

        Assert.Throws<InvalidDataException>(() => new ParquetFormat().Read(damaged));
    }

    private static byte[] Write(ParquetFormat format, ParquetTable table)
    {
        using var stream = new MemoryStream();
        format.Write(stream, table);
        return stream.ToArray();
    }
}
