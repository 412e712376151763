using System.Diagnostics;
using OpsConsole.Shared.State.Leases;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Planning;

namespace OpsConsole.SparkJobs.Tests;

public sealed class SlicePlannerTests
{
    [Fact]
    public void Remaining_TakesOutFinishedSlicesAndFinishedPiecesOfSplitSlices()
    {
        var planned = SlicePlanner.Plan(0, 300, 100); // [200,300) [100,200) [0,100)

        var left = SlicePlanner.Remaining(planned, [new Slice(200, 300), new Slice(150, 175), new Slice(100, 125), new Slice(0, 100)]);

        Assert.Equal([new Slice(175, 200), new Slice(125, 150)], left);
    }

    [Fact]
    public void Remaining_NothingDone_IsThePlan() =>
        Assert.Equal(SlicePlanner.Plan(0, 300, 100), SlicePlanner.Remaining(SlicePlanner.Plan(0, 300, 100), []));

    [Fact]
    public void Split_DenseSlice_FirstPageFinishesTheNewestPartAndTheRestIsCutIntoPiecesOfAboutTheLimit()
    {
        // The first page of 100 reached back 1,000 s of a 100,000 s slice: about 100 pages, limit 20.
        var split = SlicePlanner.Split(new Slice(0, 100_000), oldestOnFirstPage: 99_000, maxPages: 20);

        Assert.NotNull(split);
        Assert.Equal(new Slice(99_001, 100_000), split.Head);
        Assert.Equal(5, split.Pieces.Count); // 99 pages left, 20 a piece
        Assert.Equal(99_001, split.Pieces[0].To);
        Assert.Equal(0, split.Pieces[^1].From);
        Assert.All(split.Pieces.Zip(split.Pieces.Skip(1)), p => Assert.Equal(p.First.From, p.Second.To));
    }

    [Fact]
    public void Split_SparseSliceOrOneSecond_IsLeftWhole()
    {
        Assert.Null(SlicePlanner.Split(new Slice(0, 100_000), oldestOnFirstPage: 50_000, maxPages: 20));
        Assert.Null(SlicePlanner.Split(new Slice(7, 8), oldestOnFirstPage: 7, maxPages: 2));
    }

    [Fact]
    public void Split_AWholePageInTheLastSecond_FinishesNothingAndCutsAtMostSixteenWays()
    {
        var split = SlicePlanner.Split(new Slice(0, 86_400), oldestOnFirstPage: 86_399, maxPages: 100);

        Assert.Null(split!.Head);
        Assert.Equal(SlicePlanner.MaxPiecesPerSplit, split.Pieces.Count);
        Assert.Equal(86_400, split.Pieces[0].To);
    }

    [Fact]
    public void LeaseHolder_ThisProcessIsAlive_AnEndedOneIsDead_AnotherMachinesNeverIs()
    {
        Assert.False(LeaseHolder.IsDeadHere(LeaseHolder.ForThisProcess("run-1")));
        Assert.Equal("run-1", LeaseHolder.RunOf(LeaseHolder.ForThisProcess("run-1")));

        using var ended = Process.Start("true")!;
        ended.WaitForExit();
        var holder = LeaseHolder.ForThisProcess("run-2").Replace($":{Environment.ProcessId}:", $":{ended.Id}:", StringComparison.Ordinal);
        Assert.True(LeaseHolder.IsDeadHere(holder));
        Assert.False(LeaseHolder.IsDeadHere(holder.Replace($"@{Environment.MachineName}:", "@another-host:", StringComparison.Ordinal)));
        Assert.False(LeaseHolder.IsDeadHere(holder.Replace($":{LinuxProcess.PidNamespace}:", ":1:", StringComparison.Ordinal)), "another PID namespace");
        Assert.False(LeaseHolder.IsDeadHere("run-3@1234-abcdef12"));
    }
}
