using Microsoft.Extensions.Options;
using OpsConsole.Shared.Lake.Storage;

namespace OpsConsole.Server.Data;

/// <summary>
/// The lake the runs write (<c>Lake:Uri</c>), as the console reads and writes it: opened on first use, so a lake that
/// cannot be reached does not stop the console from starting (what needs it fails and says why), and kept once open.
/// </summary>
public sealed class ConsoleLake(IOptions<StoreOptions> stores, IOptions<DataOptions> data) : IDisposable
{
    private readonly Lock _gate = new();
    private ILakeStorage? _storage;

    /// <exception cref="Shared.Storage.StoreUnavailableException">The lake cannot be opened.</exception>
    public ILakeStorage Storage
    {
        get
        {
            lock (_gate)
            {
                return _storage ??= LakeStorages.Open(stores.Value.ResolvedLakeUri(data.Value));
            }
        }
    }

    public void Dispose() => (_storage as IDisposable)?.Dispose();
}
