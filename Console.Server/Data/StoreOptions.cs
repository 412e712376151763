namespace OpsConsole.Server.Data;

/// <summary>
/// The stores the console and its jobs share, by URI (sections <c>State</c> and <c>Lake</c>, key <c>Uri</c>). Unset:
/// <c>sqlite:{data}/state.db</c> and <c>file:{data}/lake</c> in the data folder. The jobs get the same URIs.
/// </summary>
public sealed class StoreOptions
{
    public const string StateSection = "State";
    public const string LakeSection = "Lake";

    /// <summary><c>State:Uri</c>: the state store (checkpoints, leases, slice progress, quality reports).</summary>
    public string StateUri { get; set; } = "";

    /// <summary><c>Lake:Uri</c>: the data lake.</summary>
    public string LakeUri { get; set; } = "";

    /// <summary>The state store's URI, the default filled in.</summary>
    public string ResolvedStateUri(DataOptions data) => StateUri is { Length: > 0 } uri ? uri : $"sqlite:{Path.Combine(data.FullPath, "state.db")}";

    /// <summary>The lake's URI, the default filled in.</summary>
    public string ResolvedLakeUri(DataOptions data) => LakeUri is { Length: > 0 } uri ? uri : $"file:{Path.Combine(data.FullPath, "lake")}";
}
