using OpsConsole.Server.Auth;
using OpsConsole.Server.Data;
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
    public void MetricsValidator_BlankMeter_NamesItsIndex()
    {
        var result = new MetricsOptionsValidator().Validate(null, new MetricsOptions { Meters = ["OpsConsole", ""], MaxSeriesPerMetric = 0 });

        Assert.Equal(
            ["Metrics:MaxSeriesPerMetric must be between 1 and 1000000 (got 0).", "Metrics:Meters:1 must name a meter."],
            result.Failures);
    }

    [Fact]
    public async Task Meters_Configured_ReplaceTheDefaults()
    {
        using var factory = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Metrics:Meters:0"] = "OpsConsole" });
        using var client = factory.AnonymousClient();
        using var wrong = factory.BasicClient("viewer", "wrong");
        await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("opsconsole_auth_sign_ins_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }
}
