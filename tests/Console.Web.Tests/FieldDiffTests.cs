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
}
