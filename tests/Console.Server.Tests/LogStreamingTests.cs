using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>The log hub with the official SignalR client (Node): reconnects resume from a sequence number, gaps are filled over REST.</summary>
public sealed class LogStreamingTests : IDisposable
{
    private readonly ConsoleAppFactory _console;
    private readonly string _baseUrl;

    public LogStreamingTests()
    {
        // A small buffer, so a client that reconnects late has fallen behind it and must fetch a gap.
        _console = FakeJobConsole(new Dictionary<string, string?> { ["Logs:BufferLines"] = "1000" });
        _baseUrl = _console.StartOnLoopback().ToString().TrimEnd('/');
    }

    public void Dispose() => _console.Dispose();

    [Fact]
    public async Task Stream_DisconnectAndResume_EveryLineOnceInOrder()
    {
        using var client = _console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges", from = DateTimeOffset.FromUnixTimeSeconds(20_000) });

        var result = await NodeTools.RunJsonAsync("log-stream.mjs", "@microsoft/signalr",
            _baseUrl, "viewer", ConsoleAppFactory.ViewerPassword, run.Id, "3000", "700");

        var ended = await WaitForEndAsync(client, run.Id);
        Assert.Equal(RunState.Succeeded, ended.State);
        var total = (await AllLogLinesAsync(client, run.Id)).Count;
        Assert.True(total > 20_000, $"{total} lines");
        Assert.Equal(total, result.GetProperty("lastSeq").GetInt32());
        Assert.True(total == result.GetProperty("received").GetInt32(), result.ToString());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, result.GetProperty("missing").GetInt32());
        Assert.True(result.GetProperty("ordered").GetBoolean());
        Assert.True(result.GetProperty("connections").GetInt32() >= 2, result.ToString());
        Assert.True(result.GetProperty("gapLines").GetInt32() > 0, $"the late reconnect should have needed the archive: {result}");
    }

    [Fact]
    public async Task Stream_UnknownRun_EndsWithAClearErrorInTheStream()
    {
        var result = await NodeTools.RunJsonAsync("log-stream.mjs", "@microsoft/signalr",
            _baseUrl, "viewer", ConsoleAppFactory.ViewerPassword, "run-nope", "0", "100");

        Assert.Equal("There is no run 'run-nope'.", result.GetProperty("error").GetString());
        Assert.Equal(0, result.GetProperty("received").GetInt32());
        Assert.Equal(1, result.GetProperty("connections").GetInt32());
    }

    [Fact]
    public async Task Stream_FinishedRun_AllLinesThroughTheGap()
    {
        using var client = _console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges", from = DateTimeOffset.FromUnixTimeSeconds(3000) });
        await WaitForEndAsync(client, run.Id);

        var result = await NodeTools.RunJsonAsync("log-stream.mjs", "@microsoft/signalr",
            _baseUrl, "viewer", ConsoleAppFactory.ViewerPassword, run.Id, "0", "0");

        var total = (await AllLogLinesAsync(client, run.Id)).Count;
        Assert.Equal(total, result.GetProperty("received").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, result.GetProperty("missing").GetInt32());
    }
}
