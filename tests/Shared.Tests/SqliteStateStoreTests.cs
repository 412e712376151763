using OpsConsole.Shared.State;
using OpsConsole.Shared.State.Sqlite;

namespace OpsConsole.Shared.Tests;

public sealed class SqliteStateStoreTests : StateStoreSpec, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"opsconsole-state-{Guid.NewGuid():N}");
    private readonly SqliteStateStore _store;

    public SqliteStateStoreTests() => _store = new SqliteStateStore(Path.Combine(_folder, "state.db"));

    protected override IStateStore Store => _store;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
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
