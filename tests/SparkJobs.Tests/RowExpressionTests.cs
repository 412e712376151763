using OpsConsole.SparkJobs.Quality;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>The row expression language: precedence, SQL nulls, types, and errors that say where.</summary>
public sealed class RowExpressionTests
{
    private static readonly Dictionary<string, int> Columns = new() { ["a"] = 0, ["b"] = 1, ["s"] = 2, ["flag"] = 3 };

    [Theory]
    [InlineData("a + b * 2 == 7", true)]
    [InlineData("(a + b) * 2 == 8", true)]
    [InlineData("a < b and not flag", false)]
    [InlineData("a < b or flag", true)]
    [InlineData("s in ('usd', 'eur')", true)]
    [InlineData("s not in ('usd', 'eur')", false)]
    [InlineData("len(s) == 3 and upper(s) == 'USD'", true)]
    [InlineData("abs(a - b) == 2", true)]
    [InlineData("b / a == 3", true)]
    [InlineData("b / 2.0 == 1.5", true)]
    [InlineData("a == 1.0", true)]
    [InlineData("s == 'it''s'", false)]
    [InlineData("-a < 0", true)]
    [InlineData("s > 'eur'", true)]
    public void Evaluate_GivesTheExpectedValue(string text, bool expected) =>
        Assert.Equal(expected, RowExpression.Parse(text, Columns).Test([1L, 3L, "usd", true]));

    [Theory]
    [InlineData("a > 1", null)]
    [InlineData("a is null", true)]
    [InlineData("a is not null", false)]
    [InlineData("a > 1 or flag", true)]
    [InlineData("a > 1 and flag", null)]
    [InlineData("a > 1 and not flag", false)]
    [InlineData("coalesce(a, 5) == 5", true)]
    [InlineData("b / 0 == 1", null)]
    public void Evaluate_Nulls_FollowSql(string text, bool? expected) =>
        Assert.Equal(expected, RowExpression.Parse(text, Columns).Test([null, 3L, "usd", true]));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a >", "ends too early")]
    [InlineData("a > 1 b", "unexpected 'b'")]
    [InlineData("missing > 1", "'missing' (at 1) is not a column")]
    [InlineData("sqrt(a)", "'sqrt' (at 1) is not a function")]
    [InlineData("len(a, b)", "takes 1 argument")]
    [InlineData("s == 'open", "not closed")]
    [InlineData("a # b", "'#' (at character 3)")]
    [InlineData("(a > 1", "expected ')'")]
    public void Parse_Mistake_SaysWhatAndWhere(string text, string message)
    {
        var exception = Assert.Throws<FormatException>(() => RowExpression.Parse(text, Columns));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_WrongTypes_IsAnErrorNamingTheValues()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => RowExpression.Parse("s + 1 > 0", Columns).Test([1L, 3L, "usd", true]));

        Assert.Contains("a string (3 characters)", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("usd", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ListsTheColumnsItReads() =>
        Assert.Equal(["a", "s"], RowExpression.Parse("a > 0 and s is not null", Columns).Columns);
}
