using System.Text.Json;
using OpsConsole.Shared.Jobs;

namespace OpsConsole.Shared.Tests;

/// <summary>The job's line contract: what the job writes, the console reads back as the same records.</summary>
public sealed class JobLinesTests
{
    private static readonly JobUsage Usage = new(12.5, 300_000_000, 40, 12, 9, 30);

    [Fact]
    public void Progress_RoundTrip_IsTheSameEventAndUsage()
    {
        var progress = new ProgressEvent(25_000, 250, 9_000_000, 260, 3, 1, 4, 12, 9_561.2);

        var text = JobLines.Format(Header(JobEvents.Progress), progress, JobJsonContext.Default.ProgressEvent, Usage);

        Assert.Equal(Header(JobEvents.Progress), JobLines.ReadHeader(text));
        Assert.Equal(progress, JobLines.Read(text, JobJsonContext.Default.ProgressEvent));
        Assert.Equal(Usage, JobLines.ReadUsage(text));
        // The wire names the console has always read.
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(3, root.GetProperty("rate_limited").GetInt64());
        Assert.Equal(4, root.GetProperty("slices_done").GetInt32());
        Assert.Equal(12.5, root.GetProperty("cpu_seconds").GetDouble());
    }

    [Fact]
    public void Slice_RoundTrip_BothShapes()
    {
        var done = new SliceEvent(1_790_000_000, 1_790_086_400, 2_400, 24);
        var split = new SliceEvent(1_790_000_000, 1_790_086_400, SplitInto: 8);

        Assert.Equal(done, JobLines.Read(JobLines.Format(Header(JobEvents.Slice), done, JobJsonContext.Default.SliceEvent), JobJsonContext.Default.SliceEvent));
        var splitText = JobLines.Format(Header(JobEvents.Slice), split, JobJsonContext.Default.SliceEvent);
        Assert.Equal(split, JobLines.Read(splitText, JobJsonContext.Default.SliceEvent));
        Assert.False(JsonDocument.Parse(splitText).RootElement.TryGetProperty("records", out _));
    }

    [Fact]
    public void Quality_RoundTrip()
    {
        var quality = new QualityEvent("failed", 20, 2, ["unique_id", "not_null_currency"], "raw/stripe/charges/_runs/r/quality.json");

        var read = JobLines.Read(JobLines.Format(Header(JobEvents.Quality), quality, JobJsonContext.Default.QualityEvent), JobJsonContext.Default.QualityEvent);

        Assert.Equal(quality.Outcome, read!.Outcome);
        Assert.Equal(quality.FailedRules, read.FailedRules);
        Assert.Equal((quality.Rules, quality.Failed, quality.Report), (read.Rules, read.Failed, read.Report));
    }

    [Fact]
    public void Summary_RoundTrip_FullAndAlreadyCommitted()
    {
        var full = new SummaryEvent(100_001, 1_790_000_000, 7)
        {
            Pages = 1_001, Requests = 1_010, Bytes = 40_000_000, RateLimited = 2, Retries = 1, Rejected = 0, TableVersion = 3, TableBytes = 9_000_000,
            Quality = "passed", Seconds = 12.3,
        };
        var again = new SummaryEvent(0, 1_790_000_000, 7) { AlreadyCommitted = true };

        Assert.Equal(full, JobLines.Read(JobLines.Format(Header(JobEvents.Summary), full, JobJsonContext.Default.SummaryEvent, Usage), JobJsonContext.Default.SummaryEvent));
        Assert.Equal(again, JobLines.Read(JobLines.Format(Header(JobEvents.Summary), again, JobJsonContext.Default.SummaryEvent), JobJsonContext.Default.SummaryEvent));
    }

    [Fact]
    public void Log_WithContextAndUsage_KeepsBoth()
    {
        var text = JobLines.Format(Header(JobEvents.Log) with { Level = "error" }, Usage,
            new Dictionary<string, object?> { ["holder"] = "run-1@host", ["examples"] = new List<string> { "ch_1", "ch_2" }, ["none"] = null });

        Assert.Equal("error", JobLines.ReadHeader(text)!.Level);
        Assert.Equal(Usage, JobLines.ReadUsage(text));
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal("run-1@host", root.GetProperty("holder").GetString());
        Assert.Equal(2, root.GetProperty("examples").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("none").ValueKind);
    }

    [Fact]
    public void NewerJob_UnknownEventAndFields_ReadWithoutError()
    {
        const string unknownEvent = """{"ts":"2026-12-06T10:00:00.000Z","level":"info","source":"executor-3","event":"heartbeat","msg":"alive","beat":7}""";
        const string newField = """{"ts":"t","level":"info","source":"driver","event":"progress","msg":"5 records","records":5,"pages":1,"gpu":{"util":0.5}}""";

        Assert.Equal("heartbeat", JobLines.ReadHeader(unknownEvent)!.Event);
        Assert.Equal(5, JobLines.Read(newField, JobJsonContext.Default.ProgressEvent)!.Records);
        Assert.Null(JobLines.ReadUsage(newField));
    }

    [Theory]
    [InlineData("""{"event":"progress","records":"many"}""")]
    [InlineData("""{"event":"progress","records":5""")]
    [InlineData("""{"event":"progress","slices":[1]}""")]
    public void BrokenTypedPart_ReadsAsNothing_NotAnError(string text) =>
        Assert.Null(JobLines.Read(text, JobJsonContext.Default.ProgressEvent));

    [Theory]
    [InlineData("plain text from a JVM")]
    [InlineData("[1,2,3]")]
    [InlineData("{not json")]
    [InlineData("")]
    public void NotAJobLine_HasNoHeader(string text) => Assert.Null(JobLines.ReadHeader(text));

    [Fact]
    public void OlderJob_NumbersAsStrings_StillRead() =>
        Assert.Equal(12, JobLines.Read("""{"event":"progress","records":"12"}""", JobJsonContext.Default.ProgressEvent)!.Records);

    private static JobLineHeader Header(string name) => new("2026-12-06T10:00:00.123Z", "info", "driver", name, "message with \"quotes\" and é");
}
