using OpsConsole.Server.Auth;

namespace OpsConsole.Server.Tests;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Verify_SamePassword_Matches()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");

        Assert.True(PasswordHasher.Verify("correct horse battery staple", hash));
    }

    [Fact]
    public void Verify_OtherPassword_DoesNotMatch()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");

        Assert.False(PasswordHasher.Verify("correct horse battery stapler", hash));
    }

    [Fact]
    public void Hash_SamePasswordTwice_UsesFreshSalt()
    {
        Assert.NotEqual(PasswordHasher.Hash("same"), PasswordHasher.Hash("same"));
    }

    [Fact]
    public void Hash_Format_NamesAlgorithmAndIterations()
    {
        var parts = PasswordHasher.Hash("secret").Split('$');

        Assert.Equal("pbkdf2-sha512", parts[0]);
        Assert.Equal(PasswordHasher.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.DoesNotContain("secret", parts[2] + parts[3], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha512$abc$AAAA$AAAA")]
    [InlineData("pbkdf2-sha512$1000$not base64!$AAAA")]
    [InlineData("md5$1000$AAAA$AAAA")]
    public void Verify_MalformedStoredHash_NeverMatches(string stored) =>
        Assert.False(PasswordHasher.Verify("plain-text-password", stored));

    [Fact]
    public void Verify_IterationsTamperedWith_DoesNotMatch()
    {
        var parts = PasswordHasher.Hash("secret").Split('$');
        parts[1] = "1000";

        Assert.False(PasswordHasher.Verify("secret", string.Join('$', parts)));
    }
}
