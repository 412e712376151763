using Microsoft.Data.Sqlite;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.State.Sqlite;

/// <summary>
/// The state store in a SQLite file (<c>sqlite:PATH</c>), the embedded default. SQLite's errors (locked, read-only,
/// disk full, not a database) leave it as <see cref="StoreUnavailableException"/> naming the file.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    private readonly SqliteStateTables _tables;
    private readonly string _file;

    public SqliteStateStore(string file, TimeProvider? time = null)
    {
        _file = Path.GetFullPath(file);
        _tables = Translate(() => new SqliteStateTables(file, time));
    }

    public Task<Checkpoint?> GetCheckpointAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.GetCheckpointAsync(source, stream, cancellationToken));

    public Task<IReadOnlyList<Checkpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.ListCheckpointsAsync(cancellationToken));

    public Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.HistoryAsync(source, stream, cancellationToken));

    public Task<Checkpoint> WriteCheckpointAsync(string source, string stream, long? cursor, long expectedVersion, string updatedBy, string reason,
        CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.WriteCheckpointAsync(source, stream, cursor, expectedVersion, updatedBy, reason, cancellationToken));

    public Task<StreamLease> AcquireLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.AcquireLeaseAsync(source, stream, holder, duration, cancellationToken));

    public Task<bool> RenewLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.RenewLeaseAsync(source, stream, holder, duration, cancellationToken));

    public Task ReleaseLeaseAsync(string source, string stream, string holder, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.ReleaseLeaseAsync(source, stream, holder, cancellationToken);
            return true;
        });

    public Task<StreamLease?> GetLeaseAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.GetLeaseAsync(source, stream, cancellationToken));

    public Task RecordSliceAsync(string source, string stream, string run, CompletedSlice slice, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.RecordSliceAsync(source, stream, run, slice, cancellationToken);
            return true;
        });

    public Task<IReadOnlyList<CompletedSlice>> CompletedSlicesAsync(string source, string stream, string run, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.CompletedSlicesAsync(source, stream, run, cancellationToken));

    public Task QueueSlicesAsync(string source, string stream, string run, IReadOnlyList<SliceRange> slices, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.QueueSlicesAsync(source, stream, run, slices, cancellationToken);
            return true;
        });

    public Task<SliceClaim?> ClaimSliceAsync(string source, string stream, string run, string holder, TimeSpan lease, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.ClaimSliceAsync(source, stream, run, holder, lease, cancellationToken));

    public Task<bool> RenewSliceAsync(string source, string stream, string run, SliceRange slice, string holder, TimeSpan lease, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.RenewSliceAsync(source, stream, run, slice, holder, lease, cancellationToken));

    public Task<bool> FinishSliceAsync(string source, string stream, string run, SliceRange slice, string holder, CompletedSlice? done, IReadOnlyList<SliceRange> pieces,
        CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.FinishSliceAsync(source, stream, run, slice, holder, done, pieces, cancellationToken));

    public Task<SliceQueueStatus> SliceQueueAsync(string source, string stream, string run, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.SliceQueueAsync(source, stream, run, cancellationToken));

    public Task SaveQualityReportAsync(QualityReport report, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.SaveQualityReportAsync(report, cancellationToken);
            return true;
        });

    public Task<QualityReport?> GetQualityReportAsync(string runId, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.GetQualityReportAsync(runId, cancellationToken));

    public Task<IReadOnlyList<QualityReport>> QualityReportsAsync(string source, string stream, int limit, bool committedOnly = false,
        CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.QualityReportsAsync(source, stream, limit, committedOnly, cancellationToken));

    private T Translate<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw Unavailable(exception);
        }
    }

    private async Task<T> TranslateAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (SqliteException exception)
        {
            throw Unavailable(exception);
        }
    }

    private StoreUnavailableException Unavailable(Exception exception) =>
        new($"The state store {_file} failed: {exception.Message}", exception);
}
