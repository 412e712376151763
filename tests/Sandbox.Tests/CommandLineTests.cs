using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_KebabAndPascalOptions_SetThem()
    {
        var (options, hostArgs, errors) = SandboxCommandLine.Parse(
            ["--urls", "http://127.0.0.1:12111", "--seed", "7", "--charges=500", "--ArrivalsPerSecond", "2.5", "--admin", "--latency-ms", "0", "--jitter-ms", "0"]);

        Assert.Empty(errors);
        Assert.Equal(7UL, options.Seed);
        Assert.Equal(500, options.Charges);
        Assert.Equal(2.5, options.ArrivalsPerSecond);
        Assert.True(options.Admin);
        Assert.Equal(["--urls", "http://127.0.0.1:12111"], hostArgs);
    }

    [Fact]
    public void Parse_UnknownOptionAndBadValues_NameEachOption()
    {
        var (_, _, errors) = SandboxCommandLine.Parse(["--chargez", "5", "--seed", "minus one", "--server-error-rate", "2", "--test-keys", "pk_test_x"]);

        Assert.Contains("unknown option --chargez.", errors);
        Assert.Contains("--seed: 'minus one' is not a valid whole number.", errors);
        Assert.Contains("ServerErrorRate must be between 0 and 1 (got 2).", errors);
        Assert.Contains(errors, e => e.StartsWith("TestKeys:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_RefusesWithEveryProblem()
    {
        var options = TestSandbox.DefaultOptions();
        options.Days = 0;
        options.JitterMs = 10;

        var exception = await Assert.ThrowsAsync<SandboxOptionsException>(() => SandboxApp.StartAsync(options));

        Assert.Contains("Days must be between 1 and 3650 (got 0).", exception.Errors);
        Assert.Contains("JitterMs must not exceed LatencyMs (10 > 0).", exception.Errors);
    }
}
