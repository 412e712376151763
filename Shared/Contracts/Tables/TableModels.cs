using OpsConsole.Shared.Auth;

namespace OpsConsole.Shared.Tables;

/// <summary>The lake's tables as the console shows them, read from their Delta logs, and their maintenance.</summary>
public interface ITableService
{
    /// <summary>Every stream's table (one with no commit yet shows version -1).</summary>
    Task<IReadOnlyList<TableSummary>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>A table's partitions and schema. KeyNotFoundException for a stream the console does not know.</summary>
    Task<TableDetail> DetailAsync(string source, string stream, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> commits, newest first.</summary>
    Task<IReadOnlyList<TableCommit>> HistoryAsync(string source, string stream, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The first rows of the table (see <see cref="PreviewQuery"/>), read with DuckDB from the files the log names at that
    /// version; InvalidFieldException naming a bad parameter (a version the log no longer has or whose files are gone
    /// included). Personal columns are masked unless <paramref name="caller"/> is an admin.
    /// </summary>
    Task<TablePreview> PreviewAsync(string source, string stream, PreviewQuery query, CallerInfo caller, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compacts, vacuums or cleans the log (see <see cref="MaintenanceRequest"/>). A change needs the Admin role and the
    /// stream's name typed, is refused while the stream has an active run, and is audited; a dry run needs neither.
    /// </summary>
    Task<MaintenanceOutcome> MaintainAsync(string source, string stream, MaintenanceRequest request, CallerInfo caller, CancellationToken cancellationToken = default);
}

public sealed record TableSummary(string Source, string Stream, string Path, long Version, long Rows, long Bytes, int Files, int Partitions,
    int PartitionsToCompact, DateTimeOffset? LastCommitAt)
{
    /// <summary>Why the table could not be read; null when it was.</summary>
    public string? Problem { get; init; }
}

/// <summary>A table with its partitions (newest first) and the columns of its schema.</summary>
public sealed record TableDetail(TableSummary Summary, IReadOnlyList<TablePartition> Partitions, IReadOnlyList<TableColumn> Columns);

/// <summary>One <c>dt</c> partition: its rows, bytes and files, and how many of those are small files compaction would merge.</summary>
public sealed record TablePartition(string Dt, long Rows, long Bytes, int Files, int SmallFiles);

public sealed record TableColumn(string Name, string Type, bool Nullable, bool Partition);

/// <summary>One commit: when, what operation, the run that made it, and the files and rows it added and removed.</summary>
public sealed record TableCommit(long Version, DateTimeOffset? At, string Operation, string? RunId, int FilesAdded, int FilesRemoved, long RowsAdded, long RowsRemoved);

public enum MaintenanceAction
{
    /// <summary>Rewrite small files into files of the target size (always applied).</summary>
    Compact,

    /// <summary>Delete files no snapshot within the retention reads (a dry run unless applied).</summary>
    Vacuum,

    /// <summary>Delete commit files a checkpoint made unnecessary (a dry run unless applied).</summary>
    CleanLog,
}

public sealed record MaintenanceRequest
{
    public MaintenanceAction? Action { get; init; }

    /// <summary>Vacuum and clean-log: delete; without it, list what would be deleted. Compaction always applies.</summary>
    public bool Apply { get; init; }

    /// <summary>Vacuum (default 168) and clean-log (default 720): the hours kept, at least 1.</summary>
    public double? RetainHours { get; init; }

    /// <summary>Compaction: one <c>dt</c> partition (yyyy-MM-dd); null for every partition.</summary>
    public string? Partition { get; init; }

    /// <summary>Compaction: the target file size in MiB (1..1024, default 32).</summary>
    public int? TargetMib { get; init; }

    /// <summary>The stream's name, typed to confirm a change.</summary>
    public string? Confirm { get; init; }
}

/// <summary>What an operation did, or would do (<see cref="Applied"/> false): files and bytes taken away and added.</summary>
public sealed record MaintenanceOutcome(MaintenanceAction Action, bool Applied, long Version, int Files, long Bytes, int FilesAdded, long BytesAdded, string Summary)
{
    /// <summary>A vacuum's files (at most 200 listed).</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
}

/// <summary>A maintenance operation refused because the stream has an active run (<see cref="RunId"/>) or a job holds it.</summary>
public sealed class TableBusyException(string message, string? runId) : Exception(message)
{
    public string? RunId { get; } = runId;
}

/// <summary>What rows a preview shows: at one version (null: the current), of one <c>dt</c> or one <c>id</c>, at most <see cref="Limit"/>.</summary>
public sealed record PreviewQuery
{
    public const int MaxLimit = 100;

    public long? Version { get; init; }

    public string? Dt { get; init; }

    public string? Id { get; init; }

    public int Limit { get; init; } = MaxLimit;
}

/// <summary>
/// Rows of a table, newest first (by <c>created</c>, then <c>id</c>), in the schema's columns and <c>dt</c>; the values
/// of <see cref="Masked"/> columns are replaced for a caller who is not an admin.
/// </summary>
public sealed record TablePreview(long Version, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, IReadOnlyList<string> Masked, int FilesRead)
{
    /// <summary>What a masked value shows instead of the value.</summary>
    public const string MaskText = "•••";
}
