using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

/// <summary>Details an ingestion client relies on: event snapshots, ties, filters, shared account limits.</summary>
public sealed class FidelityDetailTests
{
    [Fact]
    public async Task Events_ShowTheObjectAsItWasThen_NotAsItIsNow()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var charge = (await sandbox.ListAllAsync("/v1/charges")).First(c =>
            c.GetProperty("status").GetString() == "succeeded" && c.GetProperty("captured").GetBoolean() && c.GetProperty("amount_refunded").GetInt64() == 0);
        var id = charge.GetProperty("id").GetString();

        await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/update", UriKind.Relative), null);
        await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/refund", UriKind.Relative), null);

        var events = (await sandbox.ListAllAsync("/v1/events?type=charge.*"))
            .Where(e => e.GetProperty("data").GetProperty("object").GetProperty("id").GetString() == id).ToList();
        var updated = events.Single(e => e.GetProperty("type").GetString() == "charge.updated").GetProperty("data").GetProperty("object");
        var refunded = events.Single(e => e.GetProperty("type").GetString() == "charge.refunded").GetProperty("data").GetProperty("object");
        Assert.Equal(0, updated.GetProperty("amount_refunded").GetInt64());
        Assert.False(updated.GetProperty("refunded").GetBoolean());
        Assert.Equal("1", updated.GetProperty("metadata").GetProperty("revision").GetString());
        Assert.True(refunded.GetProperty("refunded").GetBoolean());
    }

    [Fact]
    public async Task Events_OfAPendingChargeThatLaterSucceeds_KeepItsPendingState()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var pending = (await sandbox.ListAllAsync("/v1/charges")).First(c => c.GetProperty("status").GetString() == "pending");
        var id = pending.GetProperty("id").GetString();

        await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/update", UriKind.Relative), null);
        using var succeed = await sandbox.Http.PostAsync(new Uri($"/_sandbox/charges/{id}/succeed", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NoContent, succeed.StatusCode);

        var events = (await sandbox.ListAllAsync("/v1/events?type=charge.*"))
            .Where(e => e.GetProperty("data").GetProperty("object").GetProperty("id").GetString() == id).ToList();
        var updated = events.Single(e => e.GetProperty("type").GetString() == "charge.updated").GetProperty("data").GetProperty("object");
        var succeeded = events.Single(e => e.GetProperty("type").GetString() == "charge.succeeded").GetProperty("data").GetProperty("object");
        Assert.Equal("pending", updated.GetProperty("status").GetString());
        Assert.False(updated.GetProperty("paid").GetBoolean());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("balance_transaction").ValueKind);
        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());
        Assert.Equal("succeeded", (await sandbox.GetJsonAsync($"/v1/charges/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task InitialRefundEvents_CarryTheRefundAndNoPhantomRevision()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var refunded = await sandbox.ListAllAsync("/v1/events?type=charge.refunded");

        Assert.NotEmpty(refunded);
        Assert.All(refunded, e =>
        {
            var charge = e.GetProperty("data").GetProperty("object");
            Assert.False(charge.GetProperty("metadata").TryGetProperty("revision", out _));
            Assert.True(charge.GetProperty("amount_refunded").GetInt64() > 0);
            Assert.Equal("succeeded", charge.GetProperty("status").GetString());
        });
    }

    [Fact]
    public async Task ChargesInOneSecond_PageInAStableOrderAcrossPageBoundaries()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Http.PostAsync(new Uri("/_sandbox/charges?count=150", UriKind.Relative), null);

        var bySeven = await sandbox.ListAllAsync($"/v1/charges?created={TestSandbox.Start}", limit: 7);
        var byHundred = await sandbox.ListAllAsync($"/v1/charges?created={TestSandbox.Start}", limit: 100);
        var truth = await sandbox.TruthAsync("charges", $"?created[gte]={TestSandbox.Start}&created[lt]={TestSandbox.Start + 1}");

        Assert.Equal(150, truth.Count);
        var expected = truth.Select(t => t.GetProperty("id").GetString()).Reverse().ToList();
        Assert.Equal(expected, bySeven.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(expected, byHundred.Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task DeliverySuccessFalse_IsEmpty_BecauseNoWebhookEverFailed()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        Assert.Empty(await sandbox.ListAllAsync("/v1/events?delivery_success=false"));
        Assert.NotEmpty(await sandbox.ListAllAsync("/v1/events?delivery_success=true"));
    }

    [Fact]
    public async Task Filters_CustomerOnChargesAndChargeOnRefunds()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var charges = await sandbox.ListAllAsync("/v1/charges");
        var busiest = charges.Where(c => c.GetProperty("customer").ValueKind == JsonValueKind.String)
            .GroupBy(c => c.GetProperty("customer").GetString()).OrderByDescending(g => g.Count()).First();
        var refund = (await sandbox.GetJsonAsync("/v1/refunds?limit=1")).GetProperty("data")[0];

        var ofCustomer = await sandbox.ListAllAsync($"/v1/charges?customer={busiest.Key}", limit: 3);
        var ofCharge = await sandbox.ListAllAsync($"/v1/refunds?charge={refund.GetProperty("charge").GetString()}");
        var ofIntent = await sandbox.ListAllAsync($"/v1/charges?payment_intent={charges[5].GetProperty("payment_intent").GetString()}");

        Assert.Equal(busiest.Select(c => c.GetProperty("id").GetString()), ofCustomer.Select(c => c.GetProperty("id").GetString()));
        Assert.Contains(ofCharge, r => r.GetProperty("id").GetString() == refund.GetProperty("id").GetString());
        Assert.Equal(charges[5].GetProperty("id").GetString(), Assert.Single(ofIntent).GetProperty("id").GetString());
    }

    [Fact]
    public async Task RateLimit_IsPerAccount_SoTwoLiveKeysShareIt()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.LiveKeys = "sk_live_first_key,sk_live_second_key";
            o.LiveRatePerSecond = 5;
        });
        using var first = Client(sandbox, "sk_live_first_key");
        using var second = Client(sandbox, "sk_live_second_key");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? first : second).GetAsync(new Uri("/v1/charges?limit=1", UriKind.Relative))));

        Assert.InRange(responses.Count(r => r.StatusCode == HttpStatusCode.OK), 5, 8);
    }

    [Fact]
    public async Task ScheduledTokenExpiry_SkipsKeyCallersAndWaitsForAToken()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await sandbox.Http.PostAsync(new Uri("/_sandbox/faults/next?kind=TokenExpiry&count=1", UriKind.Relative), null);

        Assert.Equal(200, (await sandbox.SendAsync("/v1/charges?limit=1")).Status);
        using var tokenClient = new HttpClient { BaseAddress = sandbox.Sandbox.BaseAddress };
        using var issued = await tokenClient.PostAsync(new Uri("/oauth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "sandbox-client",
            ["client_secret"] = "sandbox-secret",
        }));
        tokenClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await tokenClient.GetAsync(new Uri("/v1/charges", UriKind.Relative))).StatusCode);
        Assert.Equal(200, (await sandbox.SendAsync("/v1/charges?limit=1")).Status);
    }

    [Fact]
    public async Task OAuth_MalformedForm_Is400NotA500()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = new HttpClient { BaseAddress = sandbox.Sandbox.BaseAddress };

        using var response = await client.PostAsync(new Uri("/oauth/token", UriKind.Relative),
            new StringContent("grant_type=client_credentials&%%%", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.InRange((int)response.StatusCode, 400, 401);
        Assert.True(response.Headers.Contains("Request-Id"));
    }

    private static HttpClient Client(TestSandbox sandbox, string key)
    {
        var client = new HttpClient { BaseAddress = sandbox.Sandbox.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
