using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Metrics;

namespace OpsConsole.Server.Tests;

public sealed class PrometheusExpositionTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Meter _meter;
    private readonly PrometheusExposition _exposition;

    public PrometheusExpositionTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _meter = factory.Create("Test.Meter");
        _exposition = new PrometheusExposition(factory,
            Options.Create(new MetricsOptions { Meters = ["Test.Meter"], MaxSeriesPerMetric = 3 }),
            NullLogger<PrometheusExposition>.Instance);
    }

    public void Dispose()
    {
        _exposition.Dispose();
        _services.Dispose();
    }

    private async Task<string> ScrapeAsync()
    {
        var writer = new StringWriter();
        await _exposition.WriteAsync(writer);
        return writer.ToString();
    }

    [Fact]
    public async Task Counter_WithTags_SumsPerLabelSetWithTotalSuffix()
    {
        var counter = _meter.CreateCounter<long>("jobs.pages", "{page}", "Pages fetched.");
        counter.Add(2, new KeyValuePair<string, object?>("stream", "charges"));
        counter.Add(3, new KeyValuePair<string, object?>("stream", "charges"));
        counter.Add(1, new KeyValuePair<string, object?>("stream", "refunds"));

        var text = await ScrapeAsync();

        Assert.Contains(
            "# HELP jobs_pages_total Pages fetched.\n# TYPE jobs_pages_total counter\njobs_pages_total{stream=\"charges\"} 5\njobs_pages_total{stream=\"refunds\"} 1\n",
            text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Histogram_Seconds_WritesCumulativeBucketsSumAndCount()
    {
        var histogram = _meter.CreateHistogram<double>("job.duration", "s", "Run duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 10] });
        histogram.Record(0.5);
        histogram.Record(5);
        histogram.Record(50);

        var text = await ScrapeAsync();

        Assert.Contains(
            "# TYPE job_duration_seconds histogram\n" +
            "job_duration_seconds_bucket{le=\"1\"} 1\n" +
            "job_duration_seconds_bucket{le=\"10\"} 2\n" +
            "job_duration_seconds_bucket{le=\"+Inf\"} 3\n" +
            "job_duration_seconds_sum 55.5\n" +
            "job_duration_seconds_count 3\n",
            text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Histogram_ValueOnABoundary_CountsInThatBucket()
    {
        var histogram = _meter.CreateHistogram<double>("edge", "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2] });
        histogram.Record(1);

        var text = await ScrapeAsync();

        Assert.Contains("edge_seconds_bucket{le=\"1\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpDownCounter_AddsDeltasAsGauge()
    {
        var active = _meter.CreateUpDownCounter<int>("runs.active", "{run}");
        active.Add(3);
        active.Add(-1);

        var text = await ScrapeAsync();

        Assert.Contains("# TYPE runs_active gauge\nruns_active 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObservableGauge_ReadAtScrape_ReportsLatestValue()
    {
        var value = 1.5;
        _meter.CreateObservableGauge("queue.depth", () => value, "{item}", "Items queued.");

        Assert.Contains("queue_depth 1.5\n", await ScrapeAsync(), StringComparison.Ordinal);
        value = 4;
        Assert.Contains("queue_depth 4\n", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelValue_WithQuoteBackslashNewline_IsEscaped()
    {
        var counter = _meter.CreateCounter<long>("odd");
        counter.Add(1, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));

        var text = await ScrapeAsync();

        Assert.Contains("odd_total{path=\"a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Series_BeyondTheLimit_AreDropped()
    {
        var counter = _meter.CreateCounter<long>("many");
        for (var i = 0; i < 5; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("id", i));
        }

        var lines = (await ScrapeAsync()).Split('\n').Where(line => line.StartsWith("many_total{", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, lines.Count);
    }

    [Fact]
    public async Task OtherHostsMeter_SameName_IsNotExported()
    {
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var otherMeter = otherServices.GetRequiredService<IMeterFactory>().Create("Test.Meter");
        otherMeter.CreateCounter<long>("foreign").Add(1);

        Assert.DoesNotContain("foreign", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_ManyInstrumentKinds_PassesPromtool()
    {
        _meter.CreateCounter<long>("a.count", "{thing}").Add(1);
        _meter.CreateCounter<double>("bytes.read", "By").Add(10.5);
        _meter.CreateHistogram<long>("size", "By").Record(300);
        _meter.CreateObservableGauge("temperature", () => -3.25);

        var text = await ScrapeAsync();
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n{text}");
    }

    [Theory]
    [InlineData("http.server.request.duration", "s", false, false, "http_server_request_duration_seconds")]
    [InlineData("opsconsole.auth.sign_ins", "{sign-in}", true, false, "opsconsole_auth_sign_ins_total")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, false, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.assembly.count", "{assembly}", false, false, "dotnet_assembly_count_value")]
    [InlineData("already_total", null, true, false, "already_total")]
    [InlineData("9lives", "1", false, false, "_9lives")]
    public void MetricName_OpenTelemetryName_MapsToPrometheus(string name, string? unit, bool counter, bool histogram, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(name, unit, counter, histogram));
}
