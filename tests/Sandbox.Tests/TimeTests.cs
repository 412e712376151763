using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

public sealed class TimeTests
{
    [Fact]
    public async Task Clock_Advanced_BringsArrivalsWithCreationEvents()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.ArrivalsPerSecond = 5);
        var before = (await sandbox.TruthAsync("charges")).Count;

        await sandbox.Http.PostAsync(new Uri("/_sandbox/clock/advance?seconds=60", UriKind.Relative), null);

        var arrived = await sandbox.ListAllAsync($"/v1/charges?created[gt]={TestSandbox.Start}");
        Assert.InRange(arrived.Count, 200, 400);
        Assert.All(arrived, c => Assert.InRange(c.GetProperty("created").GetInt64(), TestSandbox.Start + 1, TestSandbox.Start + 60));
        Assert.Equal(before + arrived.Count, (await sandbox.TruthAsync("charges")).Count);
        var created = await sandbox.ListAllAsync($"/v1/events?types[]=charge.succeeded&types[]=charge.failed&types[]=charge.pending&created[gt]={TestSandbox.Start}");
        Assert.Equal(arrived.Count, created.Count);
    }

    [Fact]
    public async Task Arrivals_SameSeed_AreTheSameHoweverTheClockIsAdvanced()
    {
        await using var inOneStep = await TestSandbox.StartAsync(o => o.ArrivalsPerSecond = 3);
        await using var inSteps = await TestSandbox.StartAsync(o => o.ArrivalsPerSecond = 3);

        await inOneStep.Http.PostAsync(new Uri("/_sandbox/clock/advance?seconds=30", UriKind.Relative), null);
        for (var i = 0; i < 6; i++)
        {
            await inSteps.Http.PostAsync(new Uri("/_sandbox/clock/advance?seconds=5", UriKind.Relative), null);
            await inSteps.GetJsonAsync("/v1/charges?limit=1");
        }

        var a = await inOneStep.ListAllAsync("/v1/charges");
        var b = await inSteps.ListAllAsync("/v1/charges");
        Assert.Equal(a.Select(c => c.GetRawText()), b.Select(c => c.GetRawText()));
    }

    [Fact]
    public async Task Refund_Admin_UpdatesTheChargeWithEvents()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var charge = (await sandbox.ListAllAsync("/v1/charges")).First(c =>
            c.GetProperty("status").GetString() == "succeeded" && c.GetProperty("captured").GetBoolean() && c.GetProperty("amount_refunded").GetInt64() == 0);
        var id = charge.GetProperty("id").GetString();
        var amount = charge.GetProperty("amount").GetInt64();

        using var refund = await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/refund", UriKind.Relative), null);
        Assert.True(refund.IsSuccessStatusCode);

        var after = await sandbox.GetJsonAsync($"/v1/charges/{id}");
        Assert.Equal(amount, after.GetProperty("amount_refunded").GetInt64());
        Assert.True(after.GetProperty("refunded").GetBoolean());

        var refunded = (await sandbox.GetJsonAsync("/v1/events?type=charge.refunded&limit=1")).GetProperty("data")[0];
        Assert.Equal(id, refunded.GetProperty("data").GetProperty("object").GetProperty("id").GetString());
        Assert.True(refunded.GetProperty("data").GetProperty("object").GetProperty("refunded").GetBoolean());
        Assert.Equal(0, refunded.GetProperty("data").GetProperty("previous_attributes").GetProperty("amount_refunded").GetInt64());
        Assert.Equal(TestSandbox.Start, refunded.GetProperty("created").GetInt64());

        var refundObject = (await sandbox.GetJsonAsync("/v1/refunds?limit=1")).GetProperty("data")[0];
        Assert.Equal(id, refundObject.GetProperty("charge").GetString());
        Assert.Equal(amount, refundObject.GetProperty("amount").GetInt64());

        var truth = (await sandbox.TruthAsync("charges")).Single(c => c.GetProperty("id").GetString() == id);
        Assert.True(truth.GetProperty("refunded").GetBoolean());
        Assert.True(truth.GetProperty("version").GetInt32() >= 1);

        using var again = await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/refund", UriKind.Relative), null);
        Assert.Equal(400, (int)again.StatusCode);
    }

    [Fact]
    public async Task Update_Admin_ChangesMetadataAndEmitsChargeUpdated()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = (await sandbox.GetJsonAsync("/v1/charges?limit=1")).GetProperty("data")[0].GetProperty("id").GetString();

        await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/update", UriKind.Relative), null);

        Assert.Equal("1", (await sandbox.GetJsonAsync($"/v1/charges/{id}")).GetProperty("metadata").GetProperty("revision").GetString());
        var updated = (await sandbox.GetJsonAsync("/v1/events?type=charge.updated&limit=1")).GetProperty("data")[0];
        Assert.Equal(id, updated.GetProperty("data").GetProperty("object").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("data").GetProperty("previous_attributes").GetProperty("metadata").GetProperty("revision").ValueKind);
    }

    [Fact]
    public async Task Updates_WithTime_RefundAndUpdateExistingObjects()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.UpdatesPerSecond = 2);

        await sandbox.Http.PostAsync(new Uri("/_sandbox/clock/advance?seconds=300", UriKind.Relative), null);

        var changes = await sandbox.ListAllAsync($"/v1/events?types[]=charge.refunded&types[]=charge.updated&types[]=customer.updated&created[gt]={TestSandbox.Start}");
        Assert.InRange(changes.Count, 300, 900);
        var types = changes.Select(e => e.GetProperty("type").GetString()).ToHashSet();
        Assert.Contains("charge.updated", types);
        Assert.Contains("customer.updated", types);
        Assert.Contains("charge.refunded", types);
        var updatedCustomer = changes.First(e => e.GetProperty("type").GetString() == "customer.updated").GetProperty("data").GetProperty("object");
        Assert.Contains("+v", updatedCustomer.GetProperty("email").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_OlderThan30Days_AreGone()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var oldest = (await sandbox.ListAllAsync("/v1/events"))[^1];

        await sandbox.Http.PostAsync(new Uri($"/_sandbox/clock/advance?seconds={31 * 86_400}", UriKind.Relative), null);

        Assert.Empty(await sandbox.ListAllAsync("/v1/events"));
        var (status, _, _) = await sandbox.SendAsync($"/v1/events/{oldest.GetProperty("id").GetString()}");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task VisibilityLag_HidesNewestFromListsButNotFromRetrieve()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.ArrivalsPerSecond = 5;
            o.VisibilityLagSeconds = 30;
        });
        await sandbox.Http.PostAsync(new Uri("/_sandbox/clock/advance?seconds=60", UriKind.Relative), null);
        var now = TestSandbox.Start + 60;

        var listed = await sandbox.ListAllAsync($"/v1/charges?created[gt]={TestSandbox.Start}");
        var truth = await sandbox.TruthAsync("charges", $"?created[gte]={TestSandbox.Start + 1}");

        Assert.All(listed, c => Assert.True(c.GetProperty("created").GetInt64() <= now - 30));
        var hidden = truth.Where(t => t.GetProperty("created").GetInt64() > now - 30).ToList();
        Assert.NotEmpty(hidden);
        Assert.Equal(truth.Count - hidden.Count, listed.Count);
        await sandbox.GetJsonAsync($"/v1/charges/{hidden[0].GetProperty("id").GetString()}");
    }
}
