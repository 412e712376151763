using System.Net;
using OpsConsole.Server.Auth;
using OpsConsole.Server.Costs;
using OpsConsole.Server.Data;
using OpsConsole.Server.Grafana;
using OpsConsole.Server.Metrics;

namespace OpsConsole.Server.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public void AuthValidator_Defaults_AreValid() =>
        Assert.True(new AuthOptionsValidator().Validate(null, new AuthOptions()).Succeeded);

    [Fact]
    public void AuthValidator_EveryWrongValue_IsReportedWithItsKey()
    {
        var result = new AuthOptionsValidator().Validate(null,
            new AuthOptions { MaxFailedSignIns = 0, LockoutMinutes = -1, SessionMinutes = 1, RevalidateSeconds = 100_000 });

        Assert.True(result.Failed);
        Assert.Equal(
            [
                "Auth:MaxFailedSignIns must be between 1 and 100 (got 0).",
                "Auth:LockoutMinutes must be between 1 and 10080 (got -1).",
                "Auth:SessionMinutes must be between 5 and 43200 (got 1).",
                "Auth:RevalidateSeconds must be between 5 and 3600 (got 100000).",
            ],
            result.Failures);
    }

    [Fact]
    public void StoreValidator_Defaults_AreValid() =>
        Assert.True(new StoreOptionsValidator().Validate(null, new StoreOptions()).Succeeded);

    [Fact]
    public void StoreValidator_UnusableUris_NameTheirKeys()
    {
        var result = new StoreOptionsValidator().Validate(null, new StoreOptions { StateUri = "dynamo://x", LakeUri = "file:" });

        Assert.Equal(
            [
                "State:Uri has the scheme 'dynamo:', which is not a state store (known: dynamodb:, sqlite:).",
                "Lake:Uri has no path after 'file:'.",
            ],
            result.Failures);
    }

    [Fact]
    public void StoreValidator_DynamoDbUri_IsCheckedWithoutReachingAnything() =>
        Assert.StartsWith("State:Uri names the table 'x'",
            Assert.Single(new StoreOptionsValidator().Validate(null, new StoreOptions { StateUri = "dynamodb://x?region=eu-west-1" }).Failures!), StringComparison.Ordinal);

    [Fact]
    public void DataValidator_EmptyPath_NamesKeyAndVariable()
    {
        var result = new DataOptionsValidator().Validate(null, new DataOptions { Path = " " });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Data:Path must name a folder", failure, StringComparison.Ordinal);
        Assert.Contains("OPSCONSOLE_DATA", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void DataValidator_PathUnderAFile_IsNotWritable()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = new DataOptionsValidator().Validate(null, new DataOptions { Path = Path.Combine(file, "data") });

            Assert.StartsWith("Data:Path '", Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MetricsValidator_ABadNetwork_NamesItsIndexAndValue()
    {
        var result = new MetricsOptionsValidator().Validate(null, new MetricsOptions { AllowedNetworks = ["10.0.0.0/8", "10.0.0.0/33", "prometheus", "192.0.2.7"] });

        Assert.Equal(
            [
                "Metrics:AllowedNetworks:1 '10.0.0.0/33' is not a network: write CIDR (10.0.0.0/8) or an address.",
                "Metrics:AllowedNetworks:2 'prometheus' is not a network: write CIDR (10.0.0.0/8) or an address.",
            ],
            result.Failures);
    }

    [Theory]
    [InlineData("127.0.0.0/8", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("10.0.0.0/8", HttpStatusCode.Forbidden)]
    public async Task AllowedNetworks_OnlyThoseClientsScrape(string network, HttpStatusCode expected)
    {
        using var factory = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Metrics:AllowedNetworks:0"] = network });
        var server = factory.StartOnLoopback();
        using var client = new HttpClient { BaseAddress = server };

        using var scrape = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var slashed = await client.GetAsync(new Uri("/METRICS/", UriKind.Relative));
        using var other = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(expected, scrape.StatusCode);
        Assert.Equal(expected, slashed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public void GrafanaValidator_EveryWrongValue_IsReportedWithItsKey()
    {
        var result = new GrafanaOptionsValidator().Validate(null, new GrafanaOptions
        {
            BaseUrl = "ftp://grafana.example.com",
            Panels = new() { ["RunThroughput"] = "opsconsole-runs", ["Nowhere"] = "opsconsole-runs:2" },
        });

        Assert.Equal(
            [
                "Grafana:BaseUrl must be an http(s) URL such as https://grafana.example.com.",
                "Grafana:Panels:RunThroughput must be dashboard-uid:panel-id, such as opsconsole-runs:2 (got 'opsconsole-runs').",
                "Grafana:Panels:Nowhere is not a place: use RunThroughput, CostsPerDay, QualityFailures.",
            ],
            result.Failures);
        Assert.Equal(["Grafana:BaseUrl is required when panels are configured."],
            new GrafanaOptionsValidator().Validate(null, new GrafanaOptions { Panels = new() { ["RunThroughput"] = "a:1" } }).Failures);
        Assert.True(new GrafanaOptionsValidator().Validate(null, new GrafanaOptions()).Succeeded);
        // Credentials in the URL are refused without being repeated.
        var secret = new GrafanaOptionsValidator().Validate(null, new GrafanaOptions { BaseUrl = "https://admin:s3cret@grafana.example.com/?x=1" });
        Assert.Equal(
            [
                "Grafana:BaseUrl must not hold a user name or password; Grafana's own sign-in (or anonymous access) applies to the frames.",
                "Grafana:BaseUrl must have no query or fragment.",
            ],
            secret.Failures);
        Assert.DoesNotContain(secret.Failures!, f => f.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public void GrafanaPanels_UrlIsTheSoloPanelForTheTimeRangeAndVariables_OrNoneWhenNotConfigured()
    {
        var panels = new GrafanaOptions { BaseUrl = "https://grafana.example.com/g", Panels = new() { ["RunThroughput"] = "opsconsole-throughput:3" } }.ToPanels();
        var from = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

        var url = panels.Url("RunThroughput", from, from.AddHours(1), new Dictionary<string, string> { ["stream"] = "charges", ["run_id"] = "run a&b" });

        Assert.Equal("https://grafana.example.com/g/d-solo/opsconsole-throughput/opsconsole?orgId=1&panelId=3&from=1790000000000&to=1790003600000&theme=light&var-run_id=run%20a%26b&var-stream=charges",
            url!.AbsoluteUri);
        Assert.Equal("https://grafana.example.com", panels.Origin);
        Assert.Null(panels.Url("CostsPerDay", from, from));
        Assert.Null(new GrafanaOptions().ToPanels().Url("RunThroughput", from, from));
    }

    [Fact]
    public void CostValidator_EveryWrongValue_IsReportedWithItsKey()
    {
        var result = new CostOptionsValidator().Validate(null, new CostOptions { Capacity = "reserved", PodCpu = 0, CpuPerCoreHour = -1, BudgetAlertFraction = 2 });

        Assert.Equal(
            [
                "Costs:Capacity must be on-demand or spot (got 'reserved').",
                "Costs:PodCpu must be between 0.1 and 512 (got 0).",
                "Costs:CpuPerCoreHour must be between 0 and 1000000 (got -1).",
                "Costs:BudgetAlertFraction must be between 0.01 and 1 (got 2).",
            ],
            result.Failures);
        Assert.True(new CostOptionsValidator().Validate(null, new CostOptions()).Succeeded);
    }
}
