using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary><c>/api/quality</c> and <c>/api/runs/{id}/quality</c> over reports the jobs wrote into the shared state store.</summary>
public sealed class QualityApiTests : IDisposable
{
    private readonly ConsoleAppFactory _console = FakeJobConsole();

    public void Dispose() => _console.Dispose();

    [Fact]
    public async Task Reports_ArePerStreamPerRunAndAsATrend()
    {
        var state = _console.Services.GetRequiredService<IStateStore>();
        await state.SaveQualityReportAsync(Report("run-a", 1000, 0.0, QualityOutcomes.Passed));
        await state.SaveQualityReportAsync(Report("run-b", 2000, 0.25, QualityOutcomes.Blocked));
        using var client = _console.BasicClient("viewer");

        var streams = await JsonAsync(client, "/api/quality");
        var charges = streams.EnumerateArray().Single(s => s.GetProperty("stream").GetString() == "charges");
        Assert.Equal("run-b", charges.GetProperty("latest").GetProperty("runId").GetString());
        Assert.Equal(JsonValueKind.Null, streams.EnumerateArray().Single(s => s.GetProperty("stream").GetString() == "refunds").GetProperty("latest").ValueKind);

        var history = await JsonAsync(client, "/api/quality/stripe/charges?limit=5");
        Assert.Equal(["run-b", "run-a"], history.EnumerateArray().Select(r => r.GetProperty("runId").GetString()));

        var trend = await JsonAsync(client, "/api/quality/stripe/charges/rules/not_null_currency");
        Assert.Equal([0.0, 0.25], trend.EnumerateArray().Select(p => p.GetProperty("observed").GetDouble()));
        Assert.Equal(["Passed", "Failed"], trend.EnumerateArray().Select(p => p.GetProperty("outcome").GetString()));

        var report = await JsonAsync(client, "/api/runs/run-b/quality");
        Assert.Equal("blocked", report.GetProperty("outcome").GetString());
        Assert.Equal("raw/stripe/charges/_staging/run-b", report.GetProperty("quarantine").GetString());
        Assert.Equal(["ch_1"], report.GetProperty("rules")[0].GetProperty("samples").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task UnknownRunOrRuleOrStream_AnswerNotFoundOrNameTheField()
    {
        using var client = _console.BasicClient("viewer");

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/api/runs/nope/quality", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/api/quality/stripe/charges/rules/nope", UriKind.Relative))).StatusCode);
        using var wrong = await client.GetAsync(new Uri("/api/quality/stripe/invoices", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("\"stream\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var anonymous = _console.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/quality", UriKind.Relative))).StatusCode);
    }

    private static async Task<JsonElement> JsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static QualityReport Report(string run, long at, double nullFraction, string outcome) => new()
    {
        RunId = run, Source = "stripe", Stream = "charges", At = at, Rows = 4, Outcome = outcome,
        Quarantine = outcome == QualityOutcomes.Blocked ? $"raw/stripe/charges/_staging/{run}" : null,
        Rules =
        [
            new RuleResult
            {
                Rule = "not_null_currency", Type = "not_null", Column = "currency", Severity = Severity.Error, Blocking = true,
                Outcome = nullFraction > 0 ? RuleOutcome.Failed : RuleOutcome.Passed, Observed = nullFraction, Upper = 0,
                Threshold = "at most 0% of rows fail: currency is not null", Failing = (long)(nullFraction * 4), FailingFraction = nullFraction,
                Samples = nullFraction > 0 ? ["ch_1"] : [], Message = "test",
            },
        ],
    };
}
