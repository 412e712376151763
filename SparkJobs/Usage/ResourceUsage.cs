using System.Diagnostics;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;

namespace OpsConsole.SparkJobs.Usage;

/// <summary>
/// What a run used, for its cost: the process's CPU seconds and peak memory, and its requests to the lake (S3 in
/// production) and to the state store (DynamoDB in production), counted as they are made. Reported in every
/// <c>progress</c> line and in the <c>summary</c>, so a run that fails still has its usage up to its last report.
/// </summary>
public sealed class ResourceUsage
{
    private long _lakePuts;
    private long _lakeGets;
    private long _lakeLists;
    private long _stateWrites;
    private long _stateReads;

    public void LakePut() => Interlocked.Increment(ref _lakePuts);

    public void LakeGet() => Interlocked.Increment(ref _lakeGets);

    public void LakeList() => Interlocked.Increment(ref _lakeLists);

    public void StateWrite() => Interlocked.Increment(ref _stateWrites);

    public void StateRead() => Interlocked.Increment(ref _stateReads);

    /// <summary>The usage so far, for a log line.</summary>
    public JobUsage Snapshot()
    {
        using var process = Process.GetCurrentProcess();
        // LIST is billed as a PUT-class request by S3.
        return new JobUsage(Math.Round(process.TotalProcessorTime.TotalSeconds, 3), process.PeakWorkingSet64,
            Interlocked.Read(ref _lakePuts) + Interlocked.Read(ref _lakeLists), Interlocked.Read(ref _lakeGets),
            Interlocked.Read(ref _stateWrites), Interlocked.Read(ref _stateReads));
    }
}

/// <summary>The lake, counting each request the way S3 bills it.</summary>
public sealed class CountingLakeStorage(ILakeStorage inner, ResourceUsage usage) : ILakeStorage
{
    public string Location => inner.Location;

    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        usage.LakeGet();
        return inner.ReadAsync(path, cancellationToken);
    }

    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        usage.LakeGet();
        return inner.OpenReadAsync(path, cancellationToken);
    }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        usage.LakePut();
        return inner.WriteAsync(path, content, cancellationToken);
    }

    public Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        usage.LakePut();
        return inner.WriteAsync(path, content, cancellationToken);
    }

    public Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        usage.LakePut();
        return inner.PutIfAbsentAsync(path, content, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        usage.LakeList();
        return inner.ListAsync(prefix, cancellationToken);
    }

    public Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        usage.LakeList();
        return inner.ListFilesAsync(prefix, cancellationToken);
    }

    // DELETE requests are free on S3.
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

    public Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default)
    {
        usage.LakeList();
        return inner.DeleteFolderAsync(prefix, cancellationToken);
    }
}

/// <summary>The state store, counting reads and writes (DynamoDB request units, one per call).</summary>
public sealed class CountingStateStore(IStateStore inner, ResourceUsage usage) : IStateStore
{
    public Task<Checkpoint?> GetCheckpointAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        Read(inner.GetCheckpointAsync(source, stream, cancellationToken));

    public Task<IReadOnlyList<Checkpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default) => Read(inner.ListCheckpointsAsync(cancellationToken));

    public Task<IReadOnlyList<CheckpointVersion>> HistoryAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        Read(inner.HistoryAsync(source, stream, cancellationToken));

    public Task<Checkpoint> WriteCheckpointAsync(string source, string stream, long? cursor, long expectedVersion, string updatedBy, string reason,
        CancellationToken cancellationToken = default) =>
        Write(inner.WriteCheckpointAsync(source, stream, cursor, expectedVersion, updatedBy, reason, cancellationToken));

    public Task<StreamLease> AcquireLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Write(inner.AcquireLeaseAsync(source, stream, holder, duration, cancellationToken));

    public Task<bool> RenewLeaseAsync(string source, string stream, string holder, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Write(inner.RenewLeaseAsync(source, stream, holder, duration, cancellationToken));

    public Task ReleaseLeaseAsync(string source, string stream, string holder, CancellationToken cancellationToken = default) =>
        Write(inner.ReleaseLeaseAsync(source, stream, holder, cancellationToken));

    public Task<StreamLease?> GetLeaseAsync(string source, string stream, CancellationToken cancellationToken = default) =>
        Read(inner.GetLeaseAsync(source, stream, cancellationToken));

    public Task RecordSliceAsync(string source, string stream, string run, CompletedSlice slice, CancellationToken cancellationToken = default) =>
        Write(inner.RecordSliceAsync(source, stream, run, slice, cancellationToken));

    public Task<IReadOnlyList<CompletedSlice>> CompletedSlicesAsync(string source, string stream, string run, CancellationToken cancellationToken = default) =>
        Read(inner.CompletedSlicesAsync(source, stream, run, cancellationToken));

    public Task QueueSlicesAsync(string source, string stream, string run, IReadOnlyList<SliceRange> slices, CancellationToken cancellationToken = default) =>
        Write(inner.QueueSlicesAsync(source, stream, run, slices, cancellationToken));

    public Task<SliceClaim?> ClaimSliceAsync(string source, string stream, string run, string holder, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Write(inner.ClaimSliceAsync(source, stream, run, holder, lease, cancellationToken));

    public Task<bool> RenewSliceAsync(string source, string stream, string run, SliceRange slice, string holder, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Write(inner.RenewSliceAsync(source, stream, run, slice, holder, lease, cancellationToken));

    public Task<bool> FinishSliceAsync(string source, string stream, string run, SliceRange slice, string holder, CompletedSlice? done, IReadOnlyList<SliceRange> pieces,
        CancellationToken cancellationToken = default) =>
        Write(inner.FinishSliceAsync(source, stream, run, slice, holder, done, pieces, cancellationToken));

    public Task<SliceQueueStatus> SliceQueueAsync(string source, string stream, string run, CancellationToken cancellationToken = default) =>
        Read(inner.SliceQueueAsync(source, stream, run, cancellationToken));

    public Task SaveQualityReportAsync(QualityReport report, CancellationToken cancellationToken = default) =>
        Write(inner.SaveQualityReportAsync(report, cancellationToken));

    public Task<QualityReport?> GetQualityReportAsync(string runId, CancellationToken cancellationToken = default) =>
        Read(inner.GetQualityReportAsync(runId, cancellationToken));

    public Task<IReadOnlyList<QualityReport>> QualityReportsAsync(string source, string stream, int limit, bool committedOnly = false,
        CancellationToken cancellationToken = default) =>
        Read(inner.QualityReportsAsync(source, stream, limit, committedOnly, cancellationToken));

    private Task<T> Read<T>(Task<T> call)
    {
        usage.StateRead();
        return call;
    }

    private Task<T> Write<T>(Task<T> call)
    {
        usage.StateWrite();
        return call;
    }

    private Task Write(Task call)
    {
        usage.StateWrite();
        return call;
    }
}
