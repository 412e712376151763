using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>Every retry of a source request is a warn line with its cause, held to a rate in a storm.</summary>
public sealed class RetryLogTests
{
    [Fact]
    public async Task EachRetry_IsAWarnLineNamingTheRequestTheAttemptAndTheCause()
    {
        var output = new StringWriter();
        var retries = new RetryLog(new JobLog(output), "executor-2");
        await using var source = await SandboxSource.StartAsync(o => o.ServerErrorRate = 1);
        using var client = source.Client(configure: o => o with { MaxAttempts = 4, OnRetry = retries.Retrying });

        await Assert.ThrowsAsync<SourceFailedException>(async () =>
        {
            await foreach (var page in client.ListAsync(StripeStream.Charges, null, null, CancellationToken.None))
            {
                page.Dispose();
            }
        });

        var lines = JobSandbox.Lines(output.ToString());
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(("warn", "executor-2"), (l.GetProperty("level").GetString(), l.GetProperty("source").GetString())));
        Assert.Equal([2, 3, 4], lines.Select(l => l.GetProperty("attempt").GetInt32()));
        Assert.All(lines, l => Assert.Matches(@"^Retrying /v1/charges\?\S+ \(attempt \d\) in [\d.]+ s: 50[023]", l.GetProperty("msg").GetString()));
    }

    [Fact]
    public void AStorm_IsHeldToTenLinesPerTenSeconds_TheNextLineSaysHowManyWereNotWritten()
    {
        var output = new StringWriter();
        var clock = new Clock();
        var retries = new RetryLog(new JobLog(output, clock), "driver", clock);

        for (var i = 0; i < 25; i++)
        {
            retries.Retrying("/v1/charges", 1, "429 rate_limit", TimeSpan.FromSeconds(1));
        }
        clock.Now += RetryLog.Window;
        retries.Retrying("/v1/charges", 1, "429 rate_limit", TimeSpan.FromSeconds(1));

        var lines = JobSandbox.Lines(output.ToString());
        Assert.Equal(11, lines.Count);
        Assert.EndsWith("429 rate_limit (15 more retries were not logged one by one)", lines[^1].GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("more retries", lines[9].GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
