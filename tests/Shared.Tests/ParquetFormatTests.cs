using OpsConsole.Shared.Lake.Parquet;
using Parquet.Meta;

namespace OpsConsole.Shared.Tests;

public sealed class ParquetFormatTests
{
    [Fact]
    public async Task RoundTrip_ManyRowGroups_ReturnsEveryValueAndNull()
    {
        var table = ParquetTestData.Table(150_000);
        var format = new ParquetFormat();
        var bytes = await WriteAsync(format, table);

        var read = await format.ReadAsync(bytes);

        Assert.Equal(table.Columns, read.Columns);
        for (var c = 0; c < table.Columns.Count; c++)
        {
            Assert.Equal(table.Values[c].Cast<object?>(), read.Values[c].Cast<object?>());
        }
        var footer = await FooterAsync(bytes);
        Assert.Equal(3, footer.RowGroups.Count);
        Assert.Equal(150_000, footer.NumRows);
    }

    [Fact]
    public async Task Write_SnappyChunks_WithMinMaxAndNullCountPerRowGroup()
    {
        var table = ParquetTestData.Table(1000);
        var format = new ParquetFormat(new ParquetWriteOptions { RowGroupRows = 400 });

        var footer = await FooterAsync(await WriteAsync(format, table));

        var amounts = (long?[])table["amount"];
        var second = Chunk(footer.RowGroups[1], "amount").Statistics!;
        var slice = amounts[400..800];
        Assert.Equal(slice.Count(a => a is null), second.NullCount);
        Assert.Equal(slice.Min()!.Value, BitConverter.ToInt64(second.MinValue));
        Assert.Equal(slice.Max()!.Value, BitConverter.ToInt64(second.MaxValue));
        Assert.All(footer.RowGroups.SelectMany(g => g.Columns), c => Assert.Equal(CompressionCodec.SNAPPY, c.MetaData!.Codec));
    }

    [Fact]
    public async Task RoundTrip_EmptyTable_HasTheSchemaAndNoRows()
    {
        var format = new ParquetFormat();
        var empty = ParquetTestData.Table(0);

        var read = await format.ReadAsync(await WriteAsync(format, empty));

        Assert.Equal(0, read.RowCount);
        Assert.Equal(empty.Columns, read.Columns);
    }

    [Fact]
    public async Task Read_IntoASchemaWithANewColumn_TheFileWithoutItReadsItAsNull_AndSkipsColumnsTheSchemaDropped()
    {
        var format = new ParquetFormat();
        var bytes = await WriteAsync(format, ParquetTestData.Table(10));
        ParquetColumn[] schema = [ParquetTestData.Columns[0], new("created_at", ParquetColumnType.TimestampMicros), ParquetTestData.Columns[1]];

        var read = await format.ReadAsync(bytes, schema);

        Assert.Equal(schema, read.Columns);
        Assert.Equal(ParquetTestData.Table(10)["id"].Cast<object?>(), read["id"].Cast<object?>());
        Assert.All(read["created_at"].Cast<object?>(), Assert.Null);
        Assert.Equal(ParquetTestData.Table(10)["amount"].Cast<object?>(), read["amount"].Cast<object?>());
    }

    [Fact]
    public async Task Read_OnlySomeColumns_TheOthersAreNull()
    {
        var format = new ParquetFormat();
        var bytes = await WriteAsync(format, ParquetTestData.Table(10));

        var read = await format.ReadAsync(bytes, only: ["id"]);

        Assert.Equal(ParquetTestData.Table(10)["id"].Cast<object?>(), read["id"].Cast<object?>());
        Assert.All(read["amount"].Cast<object?>(), Assert.Null);
    }

    [Fact]
    public async Task Read_AColumnOfAnotherTypeThanTheSchemas_NamesTheColumnAndBothTypes()
    {
        var format = new ParquetFormat();
        var bytes = await WriteAsync(format, ParquetTestData.Table(10));

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => format.ReadAsync(bytes, [new("amount", ParquetColumnType.String)]));

        Assert.Equal("Column amount is Int64 in the file, not String.", exception.Message);
    }

    [Fact]
    public async Task Write_NullInARequiredColumn_NamesTheColumnAndRow()
    {
        string?[] ids = ["a", null];
        var table = new ParquetTable([new ParquetColumn("id", ParquetColumnType.String, Nullable: false)], [ids]);

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(new ParquetFormat(), table));

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
    public async Task Read_DamagedFile_IsRefusedClearly(string damage)
    {
        var bytes = await WriteAsync(new ParquetFormat(), ParquetTestData.Table(100));
        byte[] damaged = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "magic" => [.. "XXXX"u8.ToArray(), .. bytes[4..]],
            _ => [.. bytes[..^8], 0xFF, 0xFF, 0xFF, 0x7F, .. "PAR1"u8.ToArray()],
        };

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => new ParquetFormat().ReadAsync(damaged));

        Assert.StartsWith("Not a Parquet file this reader reads", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> WriteAsync(ParquetFormat format, ParquetTable table)
    {
        using var stream = new MemoryStream();
        await format.WriteAsync(stream, table);
        return stream.ToArray();
    }

    /// <summary>The file's footer as Parquet.Net reads it.</summary>
    private static async Task<FileMetaData> FooterAsync(byte[] bytes)
    {
        await using var reader = await Parquet.ParquetReader.CreateAsync(new MemoryStream(bytes));
        return reader.Metadata!;
    }

    private static ColumnMetaData Chunk(RowGroup group, string column) => group.Columns.Single(c => c.MetaData!.PathInSchema[0] == column).MetaData!;
}
