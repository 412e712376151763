using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>Runs as Prometheus metrics at <c>/metrics</c>, checked by promtool and scraped by a real Prometheus.</summary>
public sealed class RunMetricsTests : IDisposable
{
    private readonly ConsoleAppFactory _console = FakeJobConsole();

    public void Dispose() => _console.Dispose();

    [Fact]
    public async Task FinishedRuns_AreCountedWithTheirRecords429sDurationAndOutcome()
    {
        using var client = _console.BasicClient("operator");
        var charges = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id);
        Assert.Equal(RunState.Succeeded, charges.State);
        Assert.Equal("warned", charges.Quality);
        Assert.Equal(RunState.Failed, (await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "refunds" })).Id)).State);

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(1, Value(text, "opsconsole_runs_started_total", "stream=\"charges\""));
        Assert.Equal(1, Value(text, "opsconsole_runs_finished_total", "stream=\"charges\"", "outcome=\"succeeded\""));
        Assert.Equal(1, Value(text, "opsconsole_runs_finished_total", "stream=\"refunds\"", "outcome=\"failed\""));
        Assert.Equal(150, Value(text, "opsconsole_ingest_records_total", "stream=\"charges\""));
        Assert.Equal(2, Value(text, "opsconsole_ingest_rate_limited_total", "stream=\"charges\""));
        Assert.Equal(1, Value(text, "opsconsole_run_duration_seconds_count", "stream=\"charges\"", "outcome=\"succeeded\""));
        Assert.Equal(1, Value(text, "opsconsole_run_duration_seconds_bucket", "stream=\"charges\"", "le=\"+Inf\""));
        Assert.Equal(0, Value(text, "opsconsole_runs_active", "stream=\"customers\""));
        Assert.Equal(1, Value(text, "opsconsole_dq_runs_total", "stream=\"charges\"", "outcome=\"warned\""));
        Assert.Equal(0, Value(text, "opsconsole_dq_runs_total", "stream=\"charges\"", "outcome=\"blocked\""));
        Assert.Equal(1, Value(text, "opsconsole_dq_rule_failures_total", "stream=\"charges\"", "rule=\"not_null_currency\""));
        Assert.True(Value(text, "opsconsole_logs_lines_total", "stream=\"charges\"") > 0);
        Assert.Contains("# TYPE opsconsole_run_duration_seconds histogram", text, StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}");
    }

    [Fact]
    public async Task RealPrometheus_ScrapesTheConsole_AndAnswersAPromQLQueryAboutRuns()
    {
        var console = _console.StartOnLoopback();
        using var client = _console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "customers" });
        await WaitForAsync(client, run.Id, r => r.State == RunState.Running);
        var folder = Directory.CreateTempSubdirectory("opsconsole-prometheus-").FullName;
        var port = LoopbackPorts.Free();
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: opsconsole
                metrics_path: /metrics
                static_configs:
                  - targets: ["{console.Authority}"]
            """);
        var start = new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                $"--config.file={Path.Combine(folder, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var prometheus = Process.Start(start)!;
        var logs = prometheus.StandardError.ReadToEndAsync();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var query = Uri.EscapeDataString("sum by (stream) (opsconsole_runs_active)");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                Assert.False(prometheus.HasExited, $"prometheus exited: {(prometheus.HasExited ? await logs : "")}");
                Assert.True(DateTime.UtcNow < deadline, "Prometheus did not return the console's runs within 60 s");
                try
                {
                    using var answer = JsonDocument.Parse(await api.GetStringAsync(new Uri($"/api/v1/query?query={query}", UriKind.Relative)));
                    var result = answer.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                        .Select(r => (Stream: r.GetProperty("metric").GetProperty("stream").GetString(), Value: r.GetProperty("value")[1].GetString()))
                        .ToList();
                    if (result.Contains(("customers", "1")))
                    {
                        Assert.Contains(("charges", "0"), result);
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }
                await Task.Delay(250);
            }
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            await client.PostAsync(new Uri($"/api/runs/{run.Id}/cancel?force=false", UriKind.Relative), null);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The value of the one series of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Value(string exposition, string name, params string[] labels)
    {
        var lines = exposition.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal))).ToList();
        Assert.True(lines.Count == 1, $"{lines.Count} series of {name} with {string.Join(", ", labels)}:\n{exposition}");
        return double.Parse(lines[0][(lines[0].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
