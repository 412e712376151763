using OpsConsole.Shared.State;
using OpsConsole.Shared.State.Sqlite;

namespace OpsConsole.Shared.Tests;

public sealed class SqliteStateStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"opsconsole-state-{Guid.NewGuid():N}");
    private readonly SqliteStateStore _store;

    public SqliteStateStoreTests() => _store = new SqliteStateStore(Path.Combine(_folder, "state.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Checkpoint_Writes_KeepEveryVersionInHistory()
    {
        Assert.Null(await _store.GetCheckpointAsync("stripe", "charges"));

        await _store.WriteCheckpointAsync("stripe", "charges", 1_000, 0, "run-1", "run committed");
        await _store.WriteCheckpointAsync("stripe", "charges", 2_000, 1, "run-2", "run committed");
        var reset = await _store.WriteCheckpointAsync("stripe", "charges", null, 2, "admin", "full resync after schema change");

        Assert.Equal(3, reset.Version);
        Assert.Null((await _store.GetCheckpointAsync("stripe", "charges"))!.Cursor);
        var history = await _store.HistoryAsync("stripe", "charges");
        Assert.Equal([3L, 2L, 1L], history.Select(h => h.Version));
        Assert.Equal(2_000, history[0].PreviousCursor);
        Assert.Equal("admin", history[0].UpdatedBy);
        Assert.Equal("full resync after schema change", history[0].Reason);
    }

    [Fact]
    public async Task Checkpoint_StaleExpectedVersion_ConflictsAndWritesNothing()
    {
        await _store.WriteCheckpointAsync("stripe", "charges", 1_000, 0, "run-1", "run committed");

        var conflict = await Assert.ThrowsAsync<CheckpointConflictException>(() =>
            _store.WriteCheckpointAsync("stripe", "charges", 5, 0, "admin", "reset"));

        Assert.Equal(1, conflict.Actual);
        Assert.Equal(1_000, (await _store.GetCheckpointAsync("stripe", "charges"))!.Cursor);
        Assert.Single(await _store.HistoryAsync("stripe", "charges"));
    }

    [Fact]
    public async Task Checkpoint_ParallelWritersOfOneVersion_OnlyOneWins()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await _store.WriteCheckpointAsync("stripe", "charges", i, 0, $"writer-{i}", "race");
                return true;
            }
            catch (CheckpointConflictException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        Assert.Single(await _store.HistoryAsync("stripe", "charges"));
    }

    [Fact]
    public async Task Checkpoint_WithoutReason_IsRefused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteCheckpointAsync("stripe", "charges", 1, 0, "admin", " "));

    [Fact]
    public async Task Lease_SecondHolder_IsRefusedNamingTheFirst_UntilReleased()
    {
        await _store.AcquireLeaseAsync("stripe", "charges", "run-1", TimeSpan.FromMinutes(5));

        var held = await Assert.ThrowsAsync<StreamLeaseHeldException>(() => _store.AcquireLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5)));
        Assert.Equal("run-1", held.Holder!.Holder);
        Assert.Contains("held by run-1", held.Message, StringComparison.Ordinal);

        await _store.ReleaseLeaseAsync("stripe", "charges", "run-1");
        Assert.Equal("run-2", (await _store.AcquireLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5))).Holder);
    }

    [Fact]
    public async Task Lease_Expired_CanBeTakenOver_AndTheOldHolderCannotRenew()
    {
        await _store.AcquireLeaseAsync("stripe", "charges", "crashed-run", TimeSpan.FromMilliseconds(1));
        await Task.Delay(20);

        await _store.AcquireLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5));

        Assert.False(await _store.RenewLeaseAsync("stripe", "charges", "crashed-run", TimeSpan.FromMinutes(5)));
        Assert.True(await _store.RenewLeaseAsync("stripe", "charges", "run-2", TimeSpan.FromMinutes(5)));
        Assert.Equal("run-2", (await _store.GetLeaseAsync("stripe", "charges"))!.Holder);
    }

    [Fact]
    public async Task Lease_ParallelAcquirers_OnlyOneGetsIt()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await _store.AcquireLeaseAsync("stripe", "refunds", $"run-{i}", TimeSpan.FromMinutes(1));
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
    public async Task Slices_RecordedTwice_AreKeptOnceAndPerRun()
    {
        await _store.RecordSliceAsync("stripe", "charges", "run-1", new CompletedSlice(100, 200, 5));
        await _store.RecordSliceAsync("stripe", "charges", "run-1", new CompletedSlice(0, 100, 7));
        await _store.RecordSliceAsync("stripe", "charges", "run-1", new CompletedSlice(100, 200, 6));
        await _store.RecordSliceAsync("stripe", "charges", "run-2", new CompletedSlice(0, 100, 7));

        var slices = await _store.CompletedSlicesAsync("stripe", "charges", "run-1");

        Assert.Equal([new CompletedSlice(0, 100, 7), new CompletedSlice(100, 200, 6)], slices);
    }

    [Fact]
    public async Task Store_SecondInstanceOnTheSameFile_SeesTheSameState()
    {
        await _store.WriteCheckpointAsync("stripe", "customers", 42, 0, "run-1", "run committed");

        var other = new SqliteStateStore(Path.Combine(_folder, "state.db"));

        Assert.Equal(42, (await other.GetCheckpointAsync("stripe", "customers"))!.Cursor);
        Assert.Single(await other.ListCheckpointsAsync());
    }
}
