using OpsConsole.Server.Logs;

namespace OpsConsole.Server.Tests;

public sealed class RedactorTests
{
    private const string SourceKey = "sk_test_verysecretvalue42";
    private readonly Redactor _redactor = new([SourceKey, "client-secret-xyz"]);

    [Theory]
    [InlineData("GET https://admin:hunter2@console.example.com/api/runs", "GET https://admin:[REDACTED]@console.example.com/api/runs")]
    [InlineData("connecting to postgres://etl:p%40ss@db:5432/x", "connecting to postgres://etl:[REDACTED]@db:5432/x")]
    [InlineData("curl -u admin:s3cret http://127.0.0.1:5080/api/me", "curl -u admin:[REDACTED] http://127.0.0.1:5080/api/me")]
    [InlineData("curl --user 'operator:pass' x", "curl --user 'operator:[REDACTED]' x")]
    [InlineData("curl --user=viewer:pw x", "curl --user=viewer:[REDACTED] x")]
    [InlineData("mail to someone@example.com about https://example.com/a", "mail to someone@example.com about https://example.com/a")]
    [InlineData("the flag -u is unset", "the flag -u is unset")]
    public void UserInfoAndUserOptions_PasswordRedacted_TheRestKept(string line, string expected) =>
        Assert.Equal(expected, _redactor.Redact(line));

    [Fact]
    public void ConfiguredSecret_Base64_AloneOrAsABasicPair_Redacted()
    {
        var alone = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SourceKey));
        var pair = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SourceKey + ":"));

        Assert.DoesNotContain(alone.TrimEnd('='), _redactor.Redact($"key={alone} done"), StringComparison.Ordinal);
        Assert.DoesNotContain(pair.TrimEnd('='), _redactor.Redact($"header {pair}"), StringComparison.Ordinal);
        Assert.Equal("no secret here", _redactor.Redact("no secret here"));
    }
}
