using System.Text.Json;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.Shared.Lake.Storage.Local;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>
/// The table's promise, every id exactly once, when the source breaks it: the Sandbox's bad data serves some ids
/// twice (a neighbour's id), and with a few charges a day many of those pairs straddle two UTC days.
/// </summary>
public sealed class ExactlyOnceTests : IAsyncLifetime
{
    private JobSandbox _job = default!;

    public async Task InitializeAsync() => _job = await JobSandbox.StartAsync("once", o => (o.Charges, o.Days, o.BadDataRate) = (1500, 300, 0.2));

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task FullRun_IdsServedOnTwoDays_CommitsEachIdOnceAndVerifyPasses()
    {
        var (code, output, error) = await _job.RunChargesAsync("ingest", "--run-id", "once-1", "--mode", "full", "--rules", "none");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");

        var sent = await _job.SentChargesAsync();
        var byId = sent.GroupBy(o => o.GetProperty("id").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        var twoDays = byId.Where(g => g.Value.Select(o => LakeTable.PartitionOf(o.GetProperty("created").GetInt64())).Distinct().Count() > 1).ToList();
        Assert.True(twoDays.Count >= 3, $"the Sandbox served only {twoDays.Count} ids on two days; the test needs more");

        var table = new LakeTable(new LocalLakeStorage(_job.Lake), "raw/stripe/charges", StreamSchema.Charges, new ParquetFormat());
        var rows = await table.ReadAllAsync();
        var ids = rows.Select(r => (string)r[table.IndexOf("id")]!).ToList();
        Assert.Equal(byId.Count, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        // Each id served on two days is kept at its later occurrence (the batch's order: later days later).
        foreach (var (id, copies) in twoDays)
        {
            var row = rows.Single(r => (string)r[table.IndexOf("id")]! == id);
            Assert.Equal(copies.Max(o => o.GetProperty("created").GetInt64()), row[table.IndexOf("created")]);
        }
        var warning = JobSandbox.Lines(output).Single(l => l.GetProperty("msg").GetString()!.Contains("under more than one day", StringComparison.Ordinal));
        Assert.Equal(twoDays.Count, warning.GetProperty("moved").GetInt32());

        var verifyOutput = new StringWriter();
        var verifyError = new StringWriter();
        var verified = await JobCommand.RunAsync(["verify", "--stream", "charges", "--lake", _job.Lake], verifyOutput, verifyError, _ => null);
        Assert.True(verified == 0, $"{verifyError}{verifyOutput}");
        Assert.True(JsonDocument.Parse(verifyOutput.ToString()).RootElement.GetProperty("each_id_once").GetBoolean());
    }
}
