using OpsConsole.Shared.State.DynamoDb;
using OpsConsole.Shared.State.Sqlite;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.State;

/// <summary>
/// The state stores by URI scheme: <c>sqlite:PATH</c> (a plain path is a SQLite file) and
/// <c>dynamodb://TABLE?region=R&amp;endpoint=URL</c>. A new store is a folder beside <c>Sqlite/</c> and one line here.
/// </summary>
public static class StateStores
{
    public static StoreFactory<IStateStore> Factory(TimeProvider? time = null) => new("state store", "sqlite", new Dictionary<string, StoreAdapter<IStateStore>>
    {
        ["sqlite"] = new(uri => uri.LocalPath(), uri => new SqliteStateStore(uri.LocalPath(), time)),
        ["dynamodb"] = new(uri => DynamoDbStateStore.Configure(uri), uri => DynamoDbStateStore.Open(uri, time), DynamoDbStateStore.InitAsync),
    });

    /// <summary>Opens the state store at <paramref name="uri"/>.</summary>
    public static IStateStore Open(string uri, TimeProvider? time = null) => Factory(time).Open(uri);
}
