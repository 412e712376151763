using System.Text.Json;

namespace OpsConsole.Sandbox.Tests;

public sealed class ListApiTests : IAsyncLifetime
{
    private TestSandbox _sandbox = default!;

    public async Task InitializeAsync() => _sandbox = await TestSandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Theory]
    [InlineData("/v1/charges", "charge")]
    [InlineData("/v1/customers", "customer")]
    [InlineData("/v1/refunds", "refund")]
    [InlineData("/v1/events", "event")]
    public async Task List_Default_IsStripesEnvelopeWithTenNewestFirst(string path, string objectName)
    {
        var page = await _sandbox.GetJsonAsync(path);

        Assert.Equal(["object", "data", "has_more", "url"], page.EnumerateObject().Select(p => p.Name));
        Assert.Equal("list", page.GetProperty("object").GetString());
        Assert.Equal(path, page.GetProperty("url").GetString());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var data = page.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(10, data.Count);
        Assert.All(data, o => Assert.Equal(objectName, o.GetProperty("object").GetString()));
        var created = data.Select(o => o.GetProperty("created").GetInt64()).ToList();
        Assert.Equal(created.OrderByDescending(c => c), created);
    }

    [Fact]
    public async Task Charges_PaginatedOverAWindow_EqualTheTruthExactly()
    {
        const long from = TestSandbox.Start - (20 * 86_400), to = TestSandbox.Start - (10 * 86_400);
        var window = $"?created[gte]={from}&created[lt]={to}";

        var listed = await _sandbox.ListAllAsync("/v1/charges" + window, limit: 37);
        var truth = await _sandbox.TruthAsync("charges", window);

        var ids = listed.Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.True(truth.Count > 100, $"window holds only {truth.Count} charges");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(truth.Select(t => t.GetProperty("id").GetString()).Reverse(), ids);
        Assert.All(listed, c => Assert.InRange(c.GetProperty("created").GetInt64(), from, to - 1));
    }

    [Fact]
    public async Task Charges_EqualCreated_KeepAStableOrderAcrossPages()
    {
        var first = await _sandbox.ListAllAsync("/v1/charges", limit: 100);
        var second = await _sandbox.ListAllAsync("/v1/charges", limit: 7);

        Assert.Equal(2000, first.Count);
        Assert.Equal(first.Select(c => c.GetProperty("id").GetString()), second.Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task EndingBefore_PageAfterStartingAfter_ReturnsThePreviousPage()
    {
        var first = await _sandbox.GetJsonAsync("/v1/charges?limit=5");
        var firstIds = Ids(first);
        var second = await _sandbox.GetJsonAsync($"/v1/charges?limit=5&starting_after={firstIds[^1]}");

        var back = await _sandbox.GetJsonAsync($"/v1/charges?limit=5&ending_before={Ids(second)[0]}");

        Assert.Equal(firstIds, Ids(back));
        Assert.False(back.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("created[gt]")]
    [InlineData("created[gte]")]
    [InlineData("created[lt]")]
    [InlineData("created[lte]")]
    public async Task Created_RangeOperators_AreExclusiveOrInclusiveAsNamed(string op)
    {
        var all = await _sandbox.ListAllAsync("/v1/charges");
        var pivot = all[1000].GetProperty("created").GetInt64();
        Func<long, bool> inRange = op switch
        {
            "created[gt]" => c => c > pivot,
            "created[gte]" => c => c >= pivot,
            "created[lt]" => c => c < pivot,
            _ => c => c <= pivot,
        };

        var listed = await _sandbox.ListAllAsync($"/v1/charges?{op}={pivot}");

        var expected = all.Where(c => inRange(c.GetProperty("created").GetInt64())).Select(c => c.GetProperty("id").GetString());
        Assert.Equal(expected, listed.Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Created_ExactValue_ListsOnlyThatSecond()
    {
        var sample = (await _sandbox.GetJsonAsync("/v1/charges?limit=1")).GetProperty("data")[0];
        var created = sample.GetProperty("created").GetInt64();

        var listed = await _sandbox.ListAllAsync($"/v1/charges?created={created}");

        Assert.NotEmpty(listed);
        Assert.All(listed, c => Assert.Equal(created, c.GetProperty("created").GetInt64()));
    }

    [Theory]
    [InlineData("/v1/charges?limit=0", "limit")]
    [InlineData("/v1/charges?limit=101", "limit")]
    [InlineData("/v1/charges?limit=ten", "limit")]
    [InlineData("/v1/charges?created[gte]=yesterday", "created[gte]")]
    [InlineData("/v1/charges?created=-5", "created")]
    [InlineData("/v1/charges?starting_after=ch_a&ending_before=ch_b", "ending_before")]
    [InlineData("/v1/charges?colour=blue", "colour")]
    [InlineData("/v1/events?type=charge.refunded&types[]=charge.updated", "types")]
    [InlineData("/v1/customers?type=customer.created", "type")]
    [InlineData("/v1/events?delivery_success=maybe", "delivery_success")]
    [InlineData("/v1/charges/ch_LbH2q4eQgrk6Q3VXxlJD7V?limit=2", "limit")]
    public async Task BadParameter_Is400NamingIt(string path, string param)
    {
        var (status, body, _) = await _sandbox.SendAsync(path);

        Assert.Equal(400, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Types_MoreThanTwenty_Is400()
    {
        var query = string.Join('&', Enumerable.Range(0, 21).Select(i => $"types[]=charge.t{i}"));

        var (status, body, _) = await _sandbox.SendAsync($"/v1/events?{query}");

        Assert.Equal(400, status);
        Assert.Equal("types", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("/v1/charges?starting_after=ch_doesnotexist", "starting_after")]
    [InlineData("/v1/charges/ch_doesnotexist", "id")]
    [InlineData("/v1/customers/cus_doesnotexist", "id")]
    [InlineData("/v1/refunds/re_x", "id")]
    [InlineData("/v1/events/evt_x", "id")]
    public async Task UnknownId_Is404ResourceMissing(string path, string param)
    {
        var (status, body, _) = await _sandbox.SendAsync(path);

        Assert.Equal(404, status);
        Assert.Equal("resource_missing", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Retrieve_ListedCharge_ReturnsTheSameObject()
    {
        var listed = (await _sandbox.GetJsonAsync("/v1/charges?limit=3")).GetProperty("data")[2];

        var retrieved = await _sandbox.GetJsonAsync($"/v1/charges/{listed.GetProperty("id").GetString()}");

        Assert.Equal(listed.GetRawText(), retrieved.GetRawText());
    }

    [Fact]
    public async Task Charge_HasTheReferenceFieldsWithConsistentValues()
    {
        var charges = await _sandbox.ListAllAsync("/v1/charges");
        string[] fields =
        [
            "id", "object", "amount", "amount_captured", "amount_refunded", "balance_transaction", "captured", "created",
            "currency", "customer", "description", "failure_code", "failure_message", "livemode", "metadata", "outcome",
            "paid", "payment_intent", "payment_method_details", "refunded", "status",
        ];

        Assert.All(charges, c =>
        {
            foreach (var field in fields)
            {
                Assert.True(c.TryGetProperty(field, out _), $"missing {field}");
            }
            var amount = c.GetProperty("amount").GetInt64();
            var refunded = c.GetProperty("amount_refunded").GetInt64();
            Assert.InRange(refunded, 0, amount);
            Assert.Equal(refunded == amount && refunded > 0, c.GetProperty("refunded").GetBoolean());
            Assert.Equal(c.GetProperty("status").GetString() == "succeeded", c.GetProperty("paid").GetBoolean());
            Assert.Equal(c.GetProperty("status").GetString() == "failed", c.GetProperty("failure_code").ValueKind == JsonValueKind.String);
        });
        var statuses = charges.GroupBy(c => c.GetProperty("status").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.InRange(statuses["succeeded"], 1700, 1950);
        Assert.True(statuses["failed"] > 40, "too few failed charges");
        Assert.True(charges.Count(c => c.GetProperty("refunded").GetBoolean()) > 20, "too few refunded charges");
        Assert.True(charges.Select(c => c.GetProperty("currency").GetString()).Distinct().Count() >= 5, "too few currencies");
        var perCustomer = charges.Where(c => c.GetProperty("customer").ValueKind == JsonValueKind.String)
            .GroupBy(c => c.GetProperty("customer").GetString()).Max(g => g.Count());
        Assert.True(perCustomer >= 10, $"busiest customer has only {perCustomer} charges");
    }

    [Fact]
    public async Task Events_TypeWildcardAndTypes_Filter()
    {
        var refunded = await _sandbox.ListAllAsync("/v1/events?type=charge.refunded");
        var charges = await _sandbox.ListAllAsync("/v1/events?type=charge.*");
        var two = await _sandbox.ListAllAsync("/v1/events?types[]=charge.refunded&types[]=customer.created");

        Assert.NotEmpty(refunded);
        Assert.All(refunded, e => Assert.Equal("charge.refunded", e.GetProperty("type").GetString()));
        Assert.All(charges, e => Assert.StartsWith("charge.", e.GetProperty("type").GetString(), StringComparison.Ordinal));
        Assert.True(charges.Count > refunded.Count);
        Assert.Equal(["charge.refunded", "customer.created"], two.Select(e => e.GetProperty("type").GetString()).Distinct().Order());
    }

    [Fact]
    public async Task Events_OnlyTheLast30Days()
    {
        var events = await _sandbox.ListAllAsync("/v1/events");
        var truth = await _sandbox.TruthAsync("events");

        Assert.Equal(truth.Count, events.Count);
        Assert.All(events, e => Assert.True(e.GetProperty("created").GetInt64() >= TestSandbox.Start - (30 * 86_400)));
    }

    private static List<string?> Ids(JsonElement page) =>
        [.. page.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetString())];
}
