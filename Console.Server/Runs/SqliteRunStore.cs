using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Runs in the embedded SQLite database. A partial unique index holds at most one active run per stream, so two
/// launches racing for a stream cannot both insert; state changes are conditional on the current state. SQLite's
/// errors leave as <see cref="StoreUnavailableException"/>.
/// </summary>
internal sealed class SqliteRunStore(SqliteDatabase database) : IRunStore
{
    private readonly SqliteRunTables _tables = new(database);

    public Task InsertAsync(RunInfo run, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.InsertAsync(run, cancellationToken);
            return true;
        });

    public Task<RunInfo?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.GetAsync(id, cancellationToken));

    public Task<IReadOnlyList<RunInfo>?> ListAsync(int limit, string? before = null, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.ListAsync(limit, before, cancellationToken));

    public Task<RunPage> QueryAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.QueryAsync(query, cancellationToken));

    public Task<IReadOnlyList<RunInfo>> ListActiveAsync(CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.ListActiveAsync(cancellationToken));

    public Task<RunInfo?> ActiveRunAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.ActiveRunAsync(source, stream, cancellationToken));

    public Task<JobHandle?> HandleAsync(string id, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.HandleAsync(id, cancellationToken));

    public Task<RunInfo?> TransitionAsync(string id, RunState to, RunChange change, string action, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.TransitionAsync(id, to, change, action, cancellationToken));

    public Task<RunState?> RecordHandleAsync(string id, JobHandle handle, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.RecordHandleAsync(id, handle, cancellationToken));

    public Task MarkForcedAsync(string id, string? by, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.MarkForcedAsync(id, by, cancellationToken);
            return true;
        });

    public Task UpdateProgressAsync(string id, RunProgress progress, RunUsage? usage = null, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.UpdateProgressAsync(id, progress, usage, cancellationToken);
            return true;
        });

    public Task<bool> RecordBudgetAlertAsync(string month, string level, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.RecordBudgetAlertAsync(month, level, at, cancellationToken));

    public Task<IReadOnlyList<RunInfo>> ListOverlappingAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.ListOverlappingAsync(from, to, cancellationToken));

    public Task<RunInfo?> PreviousEndedAsync(string source, string stream, DateTimeOffset before, string except, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.PreviousEndedAsync(source, stream, before, except, cancellationToken));

    public Task UpdatePodsAsync(string id, IReadOnlyList<RunPod> pods, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.UpdatePodsAsync(id, pods, cancellationToken);
            return true;
        });

    public Task UpdateQualityAsync(string id, string outcome, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.UpdateQualityAsync(id, outcome, cancellationToken);
            return true;
        });

    public Task<IReadOnlyList<RunInfo>> DueRetriesAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.DueRetriesAsync(now, cancellationToken));

    public Task StartAttemptAsync(string id, int attempt, DateTimeOffset at, long firstSeq, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.StartAttemptAsync(id, attempt, at, firstSeq, cancellationToken);
            return true;
        });

    public Task EndAttemptAsync(string id, DateTimeOffset at, string outcome, int? exitCode, string? reason, bool retried, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await _tables.EndAttemptAsync(id, at, outcome, exitCode, reason, retried, cancellationToken);
            return true;
        });

    public Task<IReadOnlyList<RunAttempt>> AttemptsAsync(string id, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => _tables.AttemptsAsync(id, cancellationToken));

    private async Task<T> TranslateAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (SqliteException exception)
        {
            throw database.Unavailable(exception);
        }
    }
}
