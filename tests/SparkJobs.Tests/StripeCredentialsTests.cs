using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Tests;

public sealed class StripeCredentialsTests
{
    [Fact]
    public void FromEnvironment_Key_WinsAndKnowsItsMode()
    {
        var credentials = StripeCredentials.FromEnvironment(name => name == "STRIPE_SECRET_KEY" ? "sk_test_abc" : "x");

        Assert.False(credentials.IsOAuth);
        Assert.False(credentials.IsLive);
        Assert.DoesNotContain("sk_test_abc", credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_ClientWithoutSecret_NamesTheMissingVariable()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            StripeCredentials.FromEnvironment(name => name == "STRIPE_CLIENT_ID" ? "client" : null));

        Assert.Contains("STRIPE_CLIENT_SECRET", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_Nothing_SaysWhatToSet()
    {
        var exception = Assert.Throws<ArgumentException>(() => StripeCredentials.FromEnvironment(_ => null));

        Assert.Contains("STRIPE_SECRET_KEY", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_TargetRate_FollowsTheKeyWithHeadroom()
    {
        var live = new StripeClientOptions { BaseAddress = new Uri("http://x"), Credentials = StripeCredentials.Key("sk_live_1") };
        var test = live with { Credentials = StripeCredentials.Key("sk_test_1") };

        Assert.Equal(97, live.TargetRate, 6);
        Assert.Equal(24.25, test.TargetRate, 6);
    }
}
