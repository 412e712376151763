using OpsConsole.Sandbox.Data;

namespace OpsConsole.Sandbox.Tests;

public sealed class ObjectIdsTests
{
    private readonly ObjectIds _ids = new("ch_", 42, 1);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(99_999)]
    [InlineData(int.MaxValue)]
    public void Decode_EncodedIndex_ReturnsIt(int index)
    {
        var id = _ids.Encode(index);

        Assert.StartsWith("ch_", id, StringComparison.Ordinal);
        Assert.Equal(25, id.Length);
        Assert.Equal(index, _ids.Decode(id));
    }

    [Fact]
    public void Encode_ManyIndices_AreDistinctAndLookRandom()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ids.Encode).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.NotEqual(ids[0][..6], ids[1][..6]);
    }

    [Theory]
    [InlineData("ch_")]
    [InlineData("ch_short")]
    [InlineData("cus_LbH2q4eQgrk6Q3VXxlJD7V")]
    [InlineData("ch_LbH2q4eQgrk6Q3VXxlJD7!")]
    public void Decode_NotAnIssuedId_ReturnsMinusOne(string id) => Assert.Equal(-1, _ids.Decode(id));

    [Fact]
    public void Decode_OneCharacterChanged_FailsTheChecksum()
    {
        var id = _ids.Encode(1234).ToCharArray();
        id[5] = id[5] == 'A' ? 'B' : 'A';

        Assert.Equal(-1, _ids.Decode(new string(id)));
    }

    [Fact]
    public void Encode_OtherSeed_GivesOtherIds()
    {
        var other = new ObjectIds("ch_", 43, 1);

        Assert.NotEqual(_ids.Encode(7), other.Encode(7));
        Assert.Equal(-1, other.Decode(_ids.Encode(7)));
    }
}
