namespace OpsConsole.Web.Tests;

public sealed class ConsoleUrlsTests
{
    [Theory]
    [InlineData("/checkpoints", "/checkpoints")]
    [InlineData("/runs?state=Failed", "/runs?state=Failed")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("/signin?returnUrl=%2F", "/")]
    [InlineData("/\u3002evil", "/")]
    [InlineData("/runs\r\nSet-Cookie: x=1", "/")]
    [InlineData("/runs/a\\b", "/")]
    [InlineData("/runs with space", "/")]
    [InlineData("/checkpoints?stream=charges", "/checkpoints?stream=charges")]
    public void SafeReturnUrl_Candidate_OnlyKeepsLocalPaths(string? candidate, string expected) =>
        Assert.Equal(expected, ConsoleUrls.SafeReturnUrl(candidate));

    [Fact]
    public void SignInReturningTo_Path_EscapesIt() =>
        Assert.Equal("/signin?returnUrl=%2Fruns%3Fa%3Db", ConsoleUrls.SignInReturningTo("/runs?a=b"));
}
