namespace OpsConsole.SparkJobs.Sources;

/// <summary>What the source client did, for progress events and the run summary. Thread-safe.</summary>
public sealed class SourceStats
{
    private long _requests;
    private long _pages;
    private long _records;
    private long _bytes;
    private long _rateLimited;
    private long _retries;

    public long Requests => Interlocked.Read(ref _requests);

    public long Pages => Interlocked.Read(ref _pages);

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long Retries => Interlocked.Read(ref _retries);

    internal void Request(long bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void Page(int records)
    {
        Interlocked.Increment(ref _pages);
        Interlocked.Add(ref _records, records);
    }

    internal void Limited() => Interlocked.Increment(ref _rateLimited);

    internal void Retry() => Interlocked.Increment(ref _retries);
}
