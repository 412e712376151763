using System.Text.Json;
using OpsConsole.TestSupport;

namespace OpsConsole.Sandbox.Tests;

/// <summary>
/// The official Stripe Node SDK (<c>stripe</c> from npm, installed under tests/tools by the test script) pointed at
/// the Sandbox: it must page, filter and fail exactly as it does against Stripe.
/// </summary>
public sealed class StripeSdkFidelityTests
{
    [Fact]
    public async Task AutoPagination_OverACreatedWindow_ReturnsExactlyTheWindowNewestFirst()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Charges = 5000);
        const long from = TestSandbox.Start - (40 * 86_400), to = TestSandbox.Start - (25 * 86_400);

        var result = await RunAsync("list", sandbox, TestSandbox.LiveKey, from.ToString(System.Globalization.CultureInfo.InvariantCulture), to.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var ids = result.GetProperty("ids").EnumerateArray().Select(i => i.GetString()).ToList();
        var created = result.GetProperty("created").EnumerateArray().Select(c => c.GetInt64()).ToList();
        var truth = await sandbox.TruthAsync("charges", $"?created[gte]={from}&created[lt]={to}");
        Assert.True(truth.Count > 500, $"window holds only {truth.Count} charges");
        Assert.Equal(truth.Select(t => t.GetProperty("id").GetString()).Reverse(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(created.OrderByDescending(c => c), created);
    }

    [Fact]
    public async Task EventsByType_AutoPaginates()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var result = await RunAsync("events", sandbox, TestSandbox.TestKey, "charge.refunded");

        var truth = (await sandbox.TruthAsync("events")).Where(e => e.GetProperty("type").GetString() == "charge.refunded").ToList();
        Assert.NotEmpty(truth);
        Assert.Equal(truth.Select(e => e.GetProperty("id").GetString()).Reverse(), result.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.All(result.GetProperty("types").EnumerateArray(), t => Assert.Equal("charge.refunded", t.GetString()));
    }

    [Fact]
    public async Task UnknownId_IsTheSdksInvalidRequestError()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var error = (await RunAsync("missing", sandbox, TestSandbox.TestKey, "ch_doesnotexist")).GetProperty("error");

        Assert.Equal("StripeInvalidRequestError", error.GetProperty("type").GetString());
        Assert.Equal(404, error.GetProperty("statusCode").GetInt32());
        Assert.Equal("resource_missing", error.GetProperty("code").GetString());
        Assert.Equal("id", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task OverTheRate_IsTheSdksRateLimitError()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.TestRatePerSecond = 5);

        var result = await RunAsync("burst", sandbox, TestSandbox.TestKey, "15");

        Assert.InRange(result.GetProperty("ok").GetInt32(), 5, 8);
        var errors = result.GetProperty("errors").EnumerateArray().ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e =>
        {
            Assert.Equal("StripeRateLimitError", e.GetProperty("type").GetString());
            Assert.Equal(429, e.GetProperty("statusCode").GetInt32());
        });
    }

    private static Task<JsonElement> RunAsync(string mode, TestSandbox sandbox, string key, params string[] args) =>
        NodeTools.RunJsonAsync("stripe-fidelity.mjs", "stripe", [mode, sandbox.Sandbox.BaseAddress.ToString().TrimEnd('/'), key, .. args]);
}
