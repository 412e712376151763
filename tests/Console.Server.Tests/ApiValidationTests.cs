using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>One rule for every list endpoint and every echo of a bad value: a 400 naming the field, short.</summary>
public sealed class ApiValidationTests : IDisposable
{
    private readonly ConsoleAppFactory _console = FakeJobConsole();

    public void Dispose() => _console.Dispose();

    [Theory]
    [InlineData("/api/runs?limit=0")]
    [InlineData("/api/runs?limit=5001")]
    [InlineData("/api/runs/page?limit=501")]
    [InlineData("/api/audit?limit=0")]
    [InlineData("/api/audit?limit=1001")]
    [InlineData("/api/quality/stripe/charges?limit=501")]
    [InlineData("/api/quality/stripe/charges/rules/unique_id?limit=0")]
    [InlineData("/api/notifications/deliveries?limit=1001")]
    [InlineData("/api/runs/x/logs?limit=5001")]
    public async Task Limit_OutOfRange_400NamingIt(string path)
    {
        using var client = _console.BasicClient("admin");

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("limit", out _), errors.ToString());
    }

    [Fact]
    public async Task Runs_KeysetPaging_NextPageFollowsTheLastId_UnknownCursorIs400NamingBefore()
    {
        using var client = _console.BasicClient("operator");
        var first = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id);
        var second = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "refunds" })).Id);

        var newest = await client.GetFromJsonAsync<JsonElement>("/api/runs?limit=1");
        var next = await client.GetFromJsonAsync<JsonElement>($"/api/runs?limit=1&before={second.Id}");
        var end = await client.GetFromJsonAsync<JsonElement>($"/api/runs?limit=1&before={first.Id}");
        var unknown = await client.GetAsync(new Uri("/api/runs?before=run-19700101-000000-000000", UriKind.Relative));

        Assert.Equal(second.Id, Assert.Single(newest.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(first.Id, Assert.Single(next.EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(end.EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var errors = (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("there is no run 'run-19700101-000000-000000'", errors.GetProperty("before")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_HugeBadValue_TheAnswerQuotesAShortPrefix()
    {
        using var client = _console.BasicClient("operator");

        var response = await client.PostAsJsonAsync("/api/runs", new { stream = new string('x', 1_000_000) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Length < 2_000, $"{body.Length} characters");
        Assert.Contains("\"stream\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsPage_FiltersSortsAndCounts_WrongSortNamed()
    {
        using var client = _console.BasicClient("operator");
        var first = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id);
        var second = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "refunds" })).Id);

        var all = await client.GetFromJsonAsync<JsonElement>("/api/runs/page?limit=1");
        var refunds = await client.GetFromJsonAsync<JsonElement>("/api/runs/page?stream=refunds");
        var oldestFirst = await client.GetFromJsonAsync<JsonElement>("/api/runs/page?sort=created&descending=false");
        var wrong = await client.GetAsync(new Uri("/api/runs/page?sort=password", UriKind.Relative));

        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal(second.Id, Assert.Single(all.GetProperty("runs").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(second.Id, Assert.Single(refunds.GetProperty("runs").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(first.Id, oldestFirst.GetProperty("runs")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("sort", out _));
    }
}
