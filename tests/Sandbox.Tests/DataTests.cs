using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

public sealed class DataTests
{
    [Fact]
    public async Task SameSeed_GivesTheSameObjects_OtherSeedOtherOnes()
    {
        await using var a = await TestSandbox.StartAsync();
        await using var b = await TestSandbox.StartAsync();
        await using var c = await TestSandbox.StartAsync(o => o.Seed = 7);

        var pageA = (await a.GetJsonAsync("/v1/charges?limit=100")).GetRawText();
        var pageB = (await b.GetJsonAsync("/v1/charges?limit=100")).GetRawText();
        var pageC = (await c.GetJsonAsync("/v1/charges?limit=100")).GetRawText();

        Assert.Equal(pageA, pageB);
        Assert.NotEqual(pageA, pageC);
    }

    [Fact]
    public async Task BadData_AllObjects_AreCorruptedInEveryWay()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.BadDataRate = 1;
            o.Charges = 400;
        });

        var charges = (await sandbox.GetJsonAsync("/v1/charges?limit=100")).GetProperty("data").EnumerateArray().ToList();

        Assert.Contains(charges, c => c.GetProperty("currency").ValueKind == JsonValueKind.Null);
        Assert.Contains(charges, c => c.GetProperty("amount").GetInt64() < 0);
        Assert.Contains(charges, c => c.TryGetProperty("x_sandbox_unexpected", out _));
        var ids = charges.Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.True(ids.Distinct().Count() < ids.Count, "no duplicate ids on the page");
        var truth = await sandbox.TruthAsync("charges");
        Assert.All(truth, t => Assert.NotEqual("None", t.GetProperty("bad_data").GetString()));
    }

    [Fact]
    public async Task BadData_Off_LeavesEveryObjectClean()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var charges = await sandbox.ListAllAsync("/v1/charges");

        Assert.All(charges, c =>
        {
            Assert.Equal(JsonValueKind.String, c.GetProperty("currency").ValueKind);
            Assert.True(c.GetProperty("amount").GetInt64() > 0);
            Assert.False(c.TryGetProperty("x_sandbox_unexpected", out _));
        });
        Assert.Equal(charges.Count, charges.Select(c => c.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Size_OneHundredThousandCharges_StayWellUnderOneKilobyteEach()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Charges = 100_000);

        var size = await sandbox.GetJsonAsync("/_sandbox/size");

        Assert.Equal(100_000, size.GetProperty("charges").GetInt32());
        Assert.True(size.GetProperty("row_bytes").GetInt64() / 100_000 < 100, $"{size.GetProperty("row_bytes").GetInt64() / 100_000} bytes per charge");
    }
}
