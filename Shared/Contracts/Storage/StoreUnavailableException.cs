namespace OpsConsole.Shared.Storage;

/// <summary>
/// A store (state or lake) could not do what was asked: unreachable, locked, read-only, out of space, throttled
/// beyond its retries. Each adapter turns its own library's errors into this, so callers never see those libraries.
/// It is an <see cref="IOException"/>: whatever handles a failed read or write handles this.
/// </summary>
public sealed class StoreUnavailableException : IOException
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
