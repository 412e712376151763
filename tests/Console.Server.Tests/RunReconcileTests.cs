using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>A console restarted while its jobs run: none of its runs stays active forever, and no log line is lost.</summary>
public sealed class RunReconcileTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Restart_JobStillRunning_ReattachesAndKeepsEveryLineOnce()
    {
        string id;
        LocalJob process;
        long recordsBefore;
        using (var first = Console())
        {
            using var client = first.BasicClient("operator");
            id = (await LaunchAsync(client, new { stream = "customers" })).Id;
            recordsBefore = (await WaitForAsync(client, id, run => run.Progress.Records >= 3)).Progress.Records;
            process = LocalJob.Of((await first.Services.GetRequiredService<IRunStore>().HandleAsync(id))!);
        }
        // The job outlives the console.
        Assert.True(ProcessExists(process.Pid));
        await Task.Delay(500);

        using var second = Console();
        using var operatorClient = second.BasicClient("operator");
        var resumed = await WaitForAsync(operatorClient, id, run => run.Progress.Records > recordsBefore + 5);
        Assert.Equal(RunState.Running, resumed.State);
        await operatorClient.PostAsync($"/api/runs/{id}/cancel", null);
        var ended = await WaitForEndAsync(operatorClient, id);

        Assert.Equal(RunState.Cancelled, ended.State);
        Assert.False(ProcessExists(process.Pid));
        var lines = await AllLogLinesAsync(operatorClient, id);
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(seq => (long)seq), lines.Select(line => line.Seq));
        // The job numbers its progress lines 1, 2, 3...: every one of them arrived, once, across the restart.
        var ticks = lines.Where(line => line.Event == "progress").Select(line => long.Parse(line.Msg.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, ticks.Count).Select(tick => (long)tick), ticks);
    }

    [Fact]
    public async Task Restart_JobEndedWhileConsoleWasDown_FailedWithTheReason()
    {
        string id;
        LocalJob process;
        using (var first = Console())
        {
            using var client = first.BasicClient("operator");
            id = (await LaunchAsync(client, new { stream = "customers" })).Id;
            await WaitForAsync(client, id, run => run.Progress.Records >= 1);
            process = LocalJob.Of((await first.Services.GetRequiredService<IRunStore>().HandleAsync(id))!);
        }
        // Someone stops the job while no console watches it. The signal is sent again each second it is still alive: on a
        // loaded machine one CI run saw the stand-in job outlive a single SIGTERM to its process group.
        for (var i = 0; i < 200 && ProcessExists(process.Pid); i++)
        {
            if (i % 20 == 0)
            {
                using var kill = Process.Start("kill", ["-TERM", "--", $"-{process.Pid}"])!;
                await kill.WaitForExitAsync();
            }
            await Task.Delay(50);
        }
        Assert.False(ProcessExists(process.Pid), $"the job {process.Pid} outlived SIGTERM for 10 s");

        using var second = Console();
        using var viewer = second.BasicClient("viewer");
        var ended = await WaitForEndAsync(viewer, id);

        Assert.Equal(RunState.Failed, ended.State);
        Assert.Equal(130, ended.ExitCode);
        Assert.Equal("The job was stopped by a signal from outside the console (exit 130).", ended.FailureReason);
        Assert.Contains(await AllLogLinesAsync(viewer, id), line => line.Msg == "Cancelled");
    }

    [Fact]
    public async Task Restart_RunNeverStarted_FailedWithTheReason()
    {
        var id = "run-never-started";
        using (var first = Console())
        {
            await first.Services.GetRequiredService<IRunStore>().InsertAsync(new RunInfo
            {
                Id = id, Source = "stripe", Stream = "charges", Mode = "incremental", Workers = 1, State = RunState.Pending,
                CreatedAt = DateTimeOffset.UtcNow, LaunchedBy = "operator",
            });
        }

        using var second = Console();
        using var viewer = second.BasicClient("viewer");
        var run = await GetAsync(viewer, id);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal("The console stopped before the job was started.", run.FailureReason);
        Assert.NotNull(run.EndedAt);
    }

    [Fact]
    public void Archive_TornTail_IsCutAndReadAgainFromTheOutput()
    {
        var folder = Path.Combine(_data, "archive");
        var archive = new LogArchive(folder);
        archive.Append([Line(1), Line(2)], outputPosition: "20");
        archive.Append([Line(3)], outputPosition: "30");
        // A crash after the member's bytes but in the middle of its index line, and another member without an index line.
        File.AppendAllText(Path.Combine(folder, "log.index"), "4 4 9");
        // (a torn line: "4 4 9" has neither length, offset nor group mark)
        using (var data = new FileStream(Path.Combine(folder, "log.jsonl.gz"), FileMode.Append))
        {
            data.Write([0x1f, 0x8b, 0x08, 0x00]);
        }

        var reopened = new LogArchive(folder);

        Assert.Equal(3, reopened.LastSeq);
        Assert.Equal("30", reopened.OutputPosition);
        Assert.Equal([1L, 2L, 3L], reopened.Read(0, 100).Select(line => line.Seq));
        Assert.Equal(reopened.Length, new FileInfo(Path.Combine(folder, "log.jsonl.gz")).Length);
        reopened.Append([Line(4)], outputPosition: "40");
        Assert.Equal([3L, 4L], new LogArchive(folder).Read(2, 100).Select(line => line.Seq));
    }

    [Fact]
    public void Archive_GroupOfMembersWithoutItsEnd_CountsNotAtAll()
    {
        var folder = Path.Combine(_data, "group");
        var archive = new LogArchive(folder);
        archive.Append([.. Enumerable.Range(1, 10).Select(seq => Line(seq))], outputPosition: "100");
        archive.Append([.. Enumerable.Range(11, 4500).Select(seq => Line(seq))], outputPosition: "5000");
        var index = File.ReadAllLines(Path.Combine(folder, "log.index"));
        Assert.Equal(4, index.Length);
        Assert.Equal(8, new LogArchive(folder).Read(4502, 100).Count);
        Assert.Equal([2011L, 2012L], new LogArchive(folder).Read(2010, 2).Select(line => line.Seq));
        // The crash came before the group's last index line: its first members were written but do not count.
        File.WriteAllLines(Path.Combine(folder, "log.index"), index[..3]);
        var reader = new LogArchive(folder, writable: false);
        Assert.Equal(10, reader.LastSeq);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(folder, "log.index")).Length);
        Assert.Throws<InvalidOperationException>(() => reader.Append([Line(11)], "1"));

        var reopened = new LogArchive(folder);

        Assert.Equal(10, reopened.LastSeq);
        Assert.Equal("100", reopened.OutputPosition);
        Assert.Empty(reopened.Read(10, 100));
    }

    [Fact]
    public void RunLog_ViewerBehindTheBuffer_GetsAGap_AndReadFillsItFromTheArchive()
    {
        var log = new RunLog("r", new LogArchive(Path.Combine(_data, "ring")), capacity: 100, new Redactor([]));
        for (var batch = 0; batch < 10; batch++)
        {
            log.Append([.. Enumerable.Range(0, 50).Select(i => $"line {(batch * 50) + i + 1}")], outputPosition: $"{batch}");
            if (batch % 3 == 0)
            {
                log.Flush();
            }
        }

        var (live, gapFrom, gapTo) = log.ReadLive(after: 10, limit: 1000);

        Assert.Equal(11, gapFrom);
        Assert.Equal(400, gapTo);
        Assert.Equal(Enumerable.Range(401, 100).Select(seq => (long)seq), live.Select(line => line.Seq));
        // The gap's lines come from the archive and from those not archived yet, in order, none twice.
        var all = new List<LogLine>();
        for (var after = 0L; all.Count < 500; after = all[^1].Seq)
        {
            all.AddRange(log.Read(after, 77));
        }
        Assert.Equal(Enumerable.Range(1, 500).Select(seq => (long)seq), all.Select(line => line.Seq));
        Assert.Equal(Enumerable.Range(1, 500).Select(seq => $"line {seq}"), all.Select(line => line.Text));
    }

    private ConsoleAppFactory Console() => ProcessJobConsole(new Dictionary<string, string?> { ["Data:Path"] = _data });

    private static LogLine Line(long seq) => new(seq, "", "info", "driver", "log", $"m{seq}", $"m{seq}");
}
