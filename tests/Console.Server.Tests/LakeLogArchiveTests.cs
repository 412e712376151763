using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// A run's log goes to the lake beside its table when the run ends, and the download falls back to that copy when the
/// console's is gone: on the folder lake and on S3 (s3rver, commits on dynalite).
/// </summary>
public sealed class LakeLogArchiveTests(S3rverServer s3rver, DynaliteServer dynalite) : IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>
{
    [Fact]
    public async Task RunEnds_LogIsInTheFolderLake_AndServedFromThereWhenTheConsolesCopyIsGone()
    {
        using var console = FakeJobConsole();

        var (run, lines) = await RunAndDownloadAsync(console);

        var copy = Path.Combine(console.DataPath, "lake", "raw", "stripe", "charges", "_runs", run.Id, "log.jsonl.gz");
        await WaitForLakeCopyAsync(console, run);
        Assert.True(File.Exists(copy));
        Assert.Equal(lines, await GunzipLinesAsync(File.OpenRead(copy)));
        await AssertServedFromTheLakeAsync(console, run, lines);
    }

    [Fact]
    public async Task RunEnds_LogIsInTheS3Lake_AndServedFromThereWhenTheConsolesCopyIsGone()
    {
        var bucket = $"console-{Guid.NewGuid():N}";
        var lake = s3rver.LakeUri(bucket, "lake", dynalite, $"commits-{Guid.NewGuid():N}");
        await Shared.Lake.Storage.LakeStorages.Factory().InitAsync(lake);
        using var console = FakeJobConsole(new Dictionary<string, string?> { ["Lake:Uri"] = lake });

        var (run, lines) = await RunAndDownloadAsync(console);

        await WaitForLakeCopyAsync(console, run);
        Assert.True(File.Exists(Path.Combine(s3rver.Folder, bucket, "lake", "raw", "stripe", "charges", "_runs", run.Id, "log.jsonl.gz._S3rver_object")));
        await AssertServedFromTheLakeAsync(console, run, lines);
    }

    [Fact]
    public async Task LakeUnreachable_TheRunStillEnds_AndTheConsolesCopyIsServed()
    {
        var lake = $"s3://nowhere/lake?endpoint=http://127.0.0.1:{LoopbackPorts.Free()}&pathStyle=true&commits=conditional&retryBudget=0";
        using var console = FakeJobConsole(new Dictionary<string, string?> { ["Lake:Uri"] = lake });

        var (run, lines) = await RunAndDownloadAsync(console);

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.NotEmpty(lines);
        Directory.Delete(Path.Combine(console.DataPath, "runs", run.Id), recursive: true);
        using var client = console.BasicClient("viewer");
        var response = await client.GetAsync($"/api/runs/{run.Id}/logs/download");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("the lake cannot be read", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_AsText_TimeLevelSourceMessageALine_AndAWrongFormatIsNamed()
    {
        using var console = FakeJobConsole();
        var (run, lines) = await RunAndDownloadAsync(console);
        using var client = console.BasicClient("viewer");

        var response = await client.GetAsync($"/api/runs/{run.Id}/logs/download?format=text");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{run.Id}.log", response.Content.Headers.ContentDisposition?.FileName);
        var text = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        Assert.Equal([.. lines.Select(line => Logs.LogText.Line(System.Text.Json.JsonSerializer.Deserialize<Logs.LogLine>(line, json)!))], text);
        Assert.Contains(text, line => line.Contains(" info  driver ", StringComparison.Ordinal) && !line.Contains("{\"", StringComparison.Ordinal));

        var wrong = await client.GetAsync($"/api/runs/{run.Id}/logs/download?format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("\"format\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<(RunInfo Run, List<string> Lines)> RunAndDownloadAsync(ConsoleAppFactory console)
    {
        using var client = console.BasicClient("operator");
        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id);
        var response = await client.GetAsync($"/api/runs/{run.Id}/logs/download");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (run, await GunzipLinesAsync(await response.Content.ReadAsStreamAsync()));
    }

    private static async Task AssertServedFromTheLakeAsync(ConsoleAppFactory console, RunInfo run, List<string> lines)
    {
        await WaitForLakeCopyAsync(console, run);
        Directory.Delete(Path.Combine(console.DataPath, "runs", run.Id), recursive: true);
        using var client = console.BasicClient("viewer");

        var response = await client.GetAsync($"/api/runs/{run.Id}/logs/download");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/gzip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(lines, await GunzipLinesAsync(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The copy is written as the run ends, just after its end is stored: wait for it.</summary>
    private static async Task WaitForLakeCopyAsync(ConsoleAppFactory console, RunInfo run)
    {
        var lake = console.Services.GetRequiredService<Data.ConsoleLake>().Storage;
        var path = Shared.Lake.LakePaths.LogArchive(run.Source, run.Stream, run.Id);
        for (var wait = 0; await lake.ReadAsync(path) is null; wait++)
        {
            Assert.True(wait < 100, $"{path} is not in the lake");
            await Task.Delay(100);
        }
    }

    private static async Task<List<string>> GunzipLinesAsync(Stream compressed)
    {
        await using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        return [.. (await new StreamReader(gzip).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
