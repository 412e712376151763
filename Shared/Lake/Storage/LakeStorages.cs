using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage;

/// <summary>
/// The lake storages by URI scheme: <c>file:PATH</c> (a plain path is a folder). A new storage is a folder beside
/// <c>Local/</c> and one line here.
/// </summary>
public static class LakeStorages
{
    public static StoreFactory<ILakeStorage> Factory() => new("lake", "file", new Dictionary<string, StoreAdapter<ILakeStorage>>
    {
        ["file"] = new(uri => uri.LocalPath(), uri => new LocalLakeStorage(uri.LocalPath())),
    });

    /// <summary>Opens the lake at <paramref name="uri"/>.</summary>
    public static ILakeStorage Open(string uri) => Factory().Open(uri);
}
