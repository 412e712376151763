using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;

namespace OpsConsole.Shared.Tests;

/// <summary>
/// What every state store must do, run against each adapter (SQLite, DynamoDB on dynalite): versions and history,
/// conditional writes with exactly one winner, leases, slice progress, quality reports.
/// </summary>
public abstract class StateStoreSpec
{
    protected abstract IStateStore Store { get; }

    [Fact]
    public async Task Checkpoint_Writes_KeepEveryVersionInHistory()
    {
        Assert.Null(await Store.GetCheckpointAsync("stripe", "charges"));

        await Store.WriteCheckpointAsync("stripe", "charges", 1_000, 0, "run-1", "run committed");
        await Store.WriteCheckpointAsync("stripe", "charges", 2_000, 1, "run-2", "run committed");
        var reset = await Store.WriteCheckpointAsync("stripe", "charges", null, 2, "admin", "full resync after schema change");

        Assert.Equal(3, reset.Version);
        Assert.Null((await Store.GetCheckpointAsync("stripe", "charges"))!.Cursor);
        var history = await Store.HistoryAsync("stripe", "charges");
        Assert.Equal([3L, 2L, 1L], history.Select(h => h.Version));
        Assert.Equal(2_000, history[0].PreviousCursor);
        Assert.Equal("admin", history[0].UpdatedBy);
        Assert.Equal("full resync after schema change", history[0].Reason);
    }

    [Fact]
    public async Task Checkpoint_StaleExpectedVersion_ConflictsAndWritesNothing()
    {
        await Store.WriteCheckpointAsync("stripe", "charges", 1_000, 0, "run-1", "run committed");

        var conflict = await Assert.ThrowsAsync<CheckpointConflictException>(() =>
            Store.WriteCheckpointAsync("stripe", "charges", 5, 0, "admin", "reset"));

        Assert.Equal(1, conflict.Actual);
        Assert.Equal(1_000, (await Store.GetCheckpointAsync("stripe", "charges"))!.Cursor);
        Assert.Single(await Store.HistoryAsync("stripe", "charges"));
    }

    [Fact]
    public async Task Checkpoint_ParallelWritersOfOneVersion_OnlyOneWins()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Store.WriteCheckpointAsync("stripe", "charges", i, 0, $"writer-{i}", "race");
                return true;
            }
            catch (CheckpointConflictException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        Assert.Single(await Store.HistoryAsync("stripe", "charges"));
    }

    [Fact]
    public async Task Checkpoint_WithoutReason_IsRefused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteCheckpointAsync("stripe", "charges", 1, 0, "admin", " "));

    [Fact]
    public async Task Lease_SecondHolder_IsRefusedNamingTheFirst_UntilReleased()
    {
        await Store.AcquireLeaseAsync("stripe", "charges", "run-1", TimeSpan.FromMinutes(5));

        var held = await Assert.ThrowsAsync<StreamLeaseHeldException>(() => Store.AcquireLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5)));
        Assert.Equal("run-1", held.Holder!.Holder);
        Assert.Contains("held by run-1", held.Message, StringComparison.Ordinal);

        await Store.ReleaseLeaseAsync("stripe", "charges", "run-1");
        Assert.Equal("run-2", (await Store.AcquireLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5))).Holder);
    }

    [Fact]
    public async Task Lease_Expired_CanBeTakenOver_AndTheOldHolderCannotRenew()
    {
        await Store.AcquireLeaseAsync("stripe", "charges", "crashed-run", TimeSpan.FromMilliseconds(1));
        await Task.Delay(20);

        await Store.AcquireLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5));

        Assert.False(await Store.RenewLeaseAsync("stripe", "charges", "crashed-run", TimeSpan.FromMinutes(5)));
        Assert.True(await Store.RenewLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5)));
        Assert.Equal("run-2", (await Store.GetLeaseAsync("stripe", "charges"))!.Holder);
    }

    [Fact]
    public async Task Lease_ParallelAcquirers_OnlyOneGetsIt()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Store.AcquireLeaseAsync("stripe", "refunds", $"run-{i}", TimeSpan.FromMinutes(1));
                return true;
            }
            catch (StreamLeaseHeldException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
    }

    [Fact]
    public async Task SliceQueue_ParallelExecutors_EachSliceHeldByOne_PiecesJoin_UntilAllAreDone()
    {
        await Store.QueueSlicesAsync("stripe", "charges", "run-q", [new SliceRange(0, 100), new SliceRange(100, 200), new SliceRange(200, 300)]);
        await Store.QueueSlicesAsync("stripe", "charges", "run-q", [new SliceRange(0, 100)]);

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Store.ClaimSliceAsync("stripe", "charges", "run-q", $"executor-{i}", TimeSpan.FromMinutes(1))));
        var held = claims.OfType<SliceClaim>().ToList();
        Assert.Equal([0L, 100L, 200L], held.Select(c => c.From).Order());
        Assert.Equal(new SliceQueueStatus(3, 0, 3, 0), await Store.SliceQueueAsync("stripe", "charges", "run-q"));

        // The slice 200-300 is too big: its newest part is done, the rest comes back as two pieces.
        var big = held.Single(c => c.From == 200);
        var holder = $"executor-{Array.IndexOf(claims, big)}";
        Assert.False(await Store.FinishSliceAsync("stripe", "charges", "run-q", new SliceRange(200, 300), "someone-else", null, []));
        Assert.True(await Store.FinishSliceAsync("stripe", "charges", "run-q", new SliceRange(200, 300), holder, new CompletedSlice(290, 300, 4),
            [new SliceRange(200, 250), new SliceRange(250, 290)]));
        Assert.Equal(new SliceQueueStatus(5, 1, 2, 4), await Store.SliceQueueAsync("stripe", "charges", "run-q"));
        foreach (var claim in held.Where(c => c != big))
        {
            Assert.True(await Store.FinishSliceAsync("stripe", "charges", "run-q", new SliceRange(claim.From, claim.To), $"executor-{Array.IndexOf(claims, claim)}",
                new CompletedSlice(claim.From, claim.To, 10), []));
        }
        var pieces = new[] { await Store.ClaimSliceAsync("stripe", "charges", "run-q", "executor-9", TimeSpan.FromMinutes(1)),
            await Store.ClaimSliceAsync("stripe", "charges", "run-q", "executor-9", TimeSpan.FromMinutes(1)) };
        Assert.Null(await Store.ClaimSliceAsync("stripe", "charges", "run-q", "executor-9", TimeSpan.FromMinutes(1)));
        foreach (var piece in pieces)
        {
            Assert.True(await Store.FinishSliceAsync("stripe", "charges", "run-q", new SliceRange(piece!.From, piece.To), "executor-9", new CompletedSlice(piece.From, piece.To, 1), []));
        }

        var status = await Store.SliceQueueAsync("stripe", "charges", "run-q");
        Assert.Equal(new SliceQueueStatus(5, 5, 0, 26), status);
        Assert.True(status.Finished);
        Assert.Equal([0L, 100L, 200L, 250L, 290L], (await Store.CompletedSlicesAsync("stripe", "charges", "run-q")).Select(s => s.From));
    }

    [Fact]
    public async Task SliceQueue_AHoldersLeaseRunsOut_AnotherTakesTheSliceOver_AndTheFirstCanNeitherRenewNorFinishIt()
    {
        await Store.QueueSlicesAsync("stripe", "charges", "run-t", [new SliceRange(0, 100)]);
        var first = await Store.ClaimSliceAsync("stripe", "charges", "run-t", "executor-1", TimeSpan.FromMilliseconds(1));
        Assert.Null(first!.TakenOverFrom);
        await Task.Delay(20);

        var second = await Store.ClaimSliceAsync("stripe", "charges", "run-t", "executor-2", TimeSpan.FromMinutes(1));

        Assert.Equal(new SliceClaim(0, 100, "executor-1"), second);
        Assert.False(await Store.RenewSliceAsync("stripe", "charges", "run-t", new SliceRange(0, 100), "executor-1", TimeSpan.FromMinutes(1)));
        Assert.False(await Store.FinishSliceAsync("stripe", "charges", "run-t", new SliceRange(0, 100), "executor-1", new CompletedSlice(0, 100, 3), [new SliceRange(0, 50)]));
        Assert.True(await Store.RenewSliceAsync("stripe", "charges", "run-t", new SliceRange(0, 100), "executor-2", TimeSpan.FromMinutes(1)));
        Assert.True(await Store.FinishSliceAsync("stripe", "charges", "run-t", new SliceRange(0, 100), "executor-2", new CompletedSlice(0, 100, 3), []));
        Assert.Equal(new SliceQueueStatus(1, 1, 0, 3), await Store.SliceQueueAsync("stripe", "charges", "run-t"));
        Assert.Null(await Store.ClaimSliceAsync("stripe", "charges", "run-t", "executor-3", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Slices_RecordedTwice_AreKeptOnceAndPerRun()
    {
        await Store.RecordSliceAsync("stripe", "charges", "run-1", new CompletedSlice(100, 200, 5));
        await Store.RecordSliceAsync("stripe", "charges", "run-1", new CompletedSlice(0, 100, 7));
        await Store.RecordSliceAsync("stripe", "charges", "run-1", new CompletedSlice(100, 200, 6));
        await Store.RecordSliceAsync("stripe", "charges", "run-2", new CompletedSlice(0, 100, 7));

        var slices = await Store.CompletedSlicesAsync("stripe", "charges", "run-1");

        Assert.Equal([new CompletedSlice(0, 100, 7), new CompletedSlice(100, 200, 6)], slices);
    }

    [Fact]
    public async Task Checkpoints_ListEveryStream()
    {
        await Store.WriteCheckpointAsync("stripe", "refunds", 7, 0, "run-1", "run committed");
        await Store.WriteCheckpointAsync("stripe", "charges", 9, 0, "run-2", "run committed");

        var all = await Store.ListCheckpointsAsync();

        Assert.Equal(["charges", "refunds"], all.Select(c => c.Stream));
        Assert.Equal(9, all[0].Cursor);
    }

    [Fact]
    public async Task QualityReports_NewestFirst_ARerunReplacesItsReport_BlockedLeftOutOfTheCommittedOnes()
    {
        await Store.SaveQualityReportAsync(Report("run-1", 1_000, QualityOutcomes.Passed));
        await Store.SaveQualityReportAsync(Report("run-2", 2_000, QualityOutcomes.Blocked));
        await Store.SaveQualityReportAsync(Report("run-3", 3_000, QualityOutcomes.Warned));
        await Store.SaveQualityReportAsync(Report("run-1", 4_000, QualityOutcomes.Failed));

        Assert.Equal(["run-1", "run-3", "run-2"], (await Store.QualityReportsAsync("stripe", "charges", 10)).Select(r => r.RunId));
        Assert.Equal(["run-1", "run-3"], (await Store.QualityReportsAsync("stripe", "charges", 10, committedOnly: true)).Select(r => r.RunId));
        Assert.Equal(["run-1"], (await Store.QualityReportsAsync("stripe", "charges", 1)).Select(r => r.RunId));
        Assert.Equal(QualityOutcomes.Failed, (await Store.GetQualityReportAsync("run-1"))!.Outcome);
        Assert.Null(await Store.GetQualityReportAsync("run-9"));
    }

    private static QualityReport Report(string run, long at, string outcome) =>
        new() { RunId = run, Source = "stripe", Stream = "charges", At = at, Outcome = outcome, Rows = 10, Rules = [] };
}
