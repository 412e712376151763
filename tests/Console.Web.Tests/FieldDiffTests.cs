namespace OpsConsole.Web.Tests;

public sealed class FieldDiffTests
{
    [Fact]
    public void Of_TwoObjects_ListsOnlyTheFieldsThatChanged_AsPlainText()
    {
        var changes = FieldDiff.Of("""{"state":"Running","forced":false,"cursor":1790000000}""", """{"state":"Cancelling","forced":false,"by":"admin"}""");

        Assert.Equal(
            [new FieldDiff.Change("state", "Running", "Cancelling"), new FieldDiff.Change("cursor", "1790000000", "—"), new FieldDiff.Change("by", "—", "admin")],
            changes);
    }

    [Theory]
    [InlineData(null, """{"failedSignIns":0}""", "failedSignIns", "—", "0")]
    [InlineData("\"a\"", "\"b\"", "value", "a", "b")]
    [InlineData("not json", null, "value", "not json", "—")]
    public void Of_MissingOrNonObjectSides_ReadAsOneField(string? before, string? after, string field, string from, string to) =>
        Assert.Equal([new FieldDiff.Change(field, from, to)], FieldDiff.Of(before, after));

    [Theory]
    [InlineData("usd", "usd")]
    [InlineData("rules:\n  - type: unique\n    column: id\n", "rules:… (3 lines)")]
    [InlineData("rules:\n  - type: unique", "rules:… (2 lines)")]
    public void Short_KeepsAShortValue_CutsAMultiLineOneAtItsFirstLine(string value, string shown) => Assert.Equal(shown, FieldDiff.Short(value));

    [Fact]
    public void Short_CutsALongLine_AndCountsItsCharacters() =>
        Assert.Equal(new string('a', FieldDiff.ShortLength) + "… (200 characters)", FieldDiff.Short(new string('a', 200)));
}
