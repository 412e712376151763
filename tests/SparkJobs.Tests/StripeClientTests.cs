using System.Diagnostics;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Tests;

public sealed class StripeClientTests
{
    private const long From = SandboxSource.Start - (30 * 86_400), To = SandboxSource.Start - (10 * 86_400);

    [Fact]
    public async Task List_Window_ReturnsExactlyItsObjectsNewestFirst()
    {
        await using var source = await SandboxSource.StartAsync();
        using var client = source.Client();

        var ids = await IdsAsync(client, limit: 100);

        var truth = await source.TruthIdsAsync("charges", From, To);
        Assert.True(truth.Count > 300);
        Assert.Equal(truth.AsEnumerable().Reverse(), ids);
        Assert.Equal(0, client.Stats.Retries);
        Assert.Equal(client.Stats.Records, ids.Count);
    }

    [Fact]
    public async Task AnyCreatedBefore_OneRequest_NotARecord()
    {
        await using var source = await SandboxSource.StartAsync();
        using var client = source.Client();

        Assert.True(await client.AnyCreatedBeforeAsync(StripeStream.Charges, To, CancellationToken.None));
        Assert.False(await client.AnyCreatedBeforeAsync(StripeStream.Charges, 1, CancellationToken.None));

        Assert.Equal((2L, 0L, 0L), (client.Stats.Requests, client.Stats.Pages, client.Stats.Records));
    }

    [Fact]
    public async Task List_UnderAFaultMix_StillReturnsExactlyTheWindow()
    {
        await using var source = await SandboxSource.StartAsync(o =>
        {
            o.ServerErrorRate = 0.06;
            o.TruncateRate = 0.04;
            o.MalformedRate = 0.04;
            o.ResetRate = 0.04;
            o.HangRate = 0.02;
            o.HangSeconds = 2;
            o.Burst429Rate = 0.02;
            o.Burst429Length = 3;
        });
        using var client = source.Client(configure: o => o with { RequestTimeout = TimeSpan.FromMilliseconds(500), MaxAttempts = 12 });

        var ids = await IdsAsync(client, limit: 10);

        Assert.Equal((await source.TruthIdsAsync("charges", From, To)).AsEnumerable().Reverse(), ids);
        Assert.True(client.Stats.Retries >= 5, $"only {client.Stats.Retries} retries: the faults did not happen");
        Assert.True(client.Stats.RateLimited > 0, "no 429 was seen");
    }

    [Fact]
    public async Task OAuth_TokenExpiresMidRun_IsRefreshedAndTheRunCompletes()
    {
        await using var source = await SandboxSource.StartAsync(o => o.TokenLifetimeSeconds = 60);
        using var client = source.Client(StripeCredentials.OAuth("sandbox-client", "sandbox-secret"));
        var ids = new List<string>();

        await foreach (var page in client.ListAsync(StripeStream.Charges, From, To, CancellationToken.None, limit: 50))
        {
            using (page)
            {
                ids.AddRange(page.Data.EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            }
            if (ids.Count == 50)
            {
                await source.AdminAsync("/_sandbox/clock/advance?seconds=120");
            }
        }

        Assert.Equal((await source.TruthIdsAsync("charges", From, To)).AsEnumerable().Reverse(), ids);
        Assert.Equal(1, client.Stats.Retries);
    }

    [Fact]
    public async Task OAuth_WrongSecret_FailsAtOnceNamingTheClient()
    {
        await using var source = await SandboxSource.StartAsync();
        using var client = source.Client(StripeCredentials.OAuth("sandbox-client", "not-the-secret-7731"));

        var exception = await Assert.ThrowsAsync<SourceRejectedException>(() => IdsAsync(client, 100));

        Assert.Contains("sandbox-client", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-7731", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_FailsAtOnceWithoutRetrying()
    {
        await using var source = await SandboxSource.StartAsync();
        using var client = source.Client(StripeCredentials.Key("sk_live_not_a_key_1234"));

        var exception = await Assert.ThrowsAsync<SourceRejectedException>(() => IdsAsync(client, 100));

        Assert.Equal(401, exception.Status);
        Assert.Equal(1, client.Stats.Requests);
    }

    [Fact]
    public async Task BadParameter_FailsAtOnceNamingIt()
    {
        await using var source = await SandboxSource.StartAsync();
        using var client = source.Client();

        var exception = await Assert.ThrowsAsync<SourceRejectedException>(() => IdsAsync(client, limit: 500));

        Assert.Equal("limit", exception.Param);
        Assert.Contains("parameter limit", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.Stats.Requests);
    }

    [Fact]
    public async Task AlwaysFailing_GivesUpAfterItsAttemptsWithTheLastReason()
    {
        await using var source = await SandboxSource.StartAsync(o => o.ServerErrorRate = 1);
        using var client = source.Client(configure: o => o with { MaxAttempts = 4 });
        var watch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<SourceFailedException>(() => IdsAsync(client, 100));

        Assert.Contains("/v1/charges", exception.Message, StringComparison.Ordinal);
        Assert.Contains("4 attempts failed", exception.Message, StringComparison.Ordinal);
        Assert.Matches("the last: 50[023]", exception.Message);
        Assert.Equal(4, client.Stats.Requests);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RetryBudget_Spent_FailsTheRun()
    {
        await using var source = await SandboxSource.StartAsync(o => o.ServerErrorRate = 1);
        using var client = source.Client(configure: o => o with { MaxAttempts = 100, RetryBudget = 5 });

        var exception = await Assert.ThrowsAsync<SourceFailedException>(() => IdsAsync(client, 100));

        Assert.Contains("retry budget (5) is spent", exception.Message, StringComparison.Ordinal);
        Assert.Equal(6, client.Stats.Requests);
    }

    [Fact]
    public async Task Retrieve_Missing_IsNull()
    {
        await using var source = await SandboxSource.StartAsync();
        using var client = source.Client();

        Assert.Null(await client.RetrieveAsync(StripeStream.Charges, "ch_doesnotexist", CancellationToken.None));
    }

    [Fact]
    public async Task SharedGate_ParallelWorkersAtTheTestLimit_NeverGet429()
    {
        await using var source = await SandboxSource.StartAsync(o =>
        {
            o.TestRatePerSecond = 25;
            o.Charges = 20_000;
        });
        var gate = new RateGate(25 * 0.97);
        using var client = source.Client(StripeCredentials.Key("sk_test_sandbox"), gate: gate);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        // Four workers over four slices, as the job runs them, for three seconds.
        var slice = 15L * 86_400;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async w =>
        {
            try
            {
                var from = SandboxSource.Start - ((w + 1) * slice);
                await foreach (var page in client.ListAsync(StripeStream.Charges, from, from + slice, stop.Token, limit: 10))
                {
                    page.Dispose();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }));

        // Never above the limit (no 429); throughput against it is measured by bench/SourceBench, not here.
        Assert.Equal(0, client.Stats.RateLimited);
        Assert.InRange(client.Stats.Requests, 30, 80);
    }

    private static async Task<List<string>> IdsAsync(StripeClient client, int limit)
    {
        var ids = new List<string>();
        await foreach (var page in client.ListAsync(StripeStream.Charges, From, To, CancellationToken.None, limit: limit))
        {
            using (page)
            {
                ids.AddRange(page.Data.EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            }
        }
        return ids;
    }
}
