using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.Shared.Lake.Storage.S3;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage;

/// <summary>
/// The lake storages by URI scheme: <c>file:PATH</c> (a plain path is a folder) and
/// <c>s3://BUCKET/PREFIX?region=R&amp;commitTable=T</c> (see <see cref="S3LakeSettings"/>). A new storage is a folder
/// beside <c>Local/</c> and one line here.
/// </summary>
public static class LakeStorages
{
    public static StoreFactory<ILakeStorage> Factory() => new("lake", "file", new Dictionary<string, StoreAdapter<ILakeStorage>>
    {
        ["file"] = new(uri => uri.LocalPath(), uri => new LocalLakeStorage(uri.LocalPath())),
        ["s3"] = new(uri => S3LakeSettings.Parse(uri), uri => S3LakeStorage.Open(uri), S3LakeStorage.InitAsync),
    });

    /// <summary>Opens the lake at <paramref name="uri"/>.</summary>
    public static ILakeStorage Open(string uri) => Factory().Open(uri);
}
