namespace OpsConsole.Shared.State;

/// <summary>A conditional write lost: the checkpoint is no longer at the version the writer expected.</summary>
public sealed class CheckpointConflictException : Exception
{
    public CheckpointConflictException(string source, string stream, long expected, long actual)
        : base($"The checkpoint of {source}/{stream} is at version {actual}, not {expected}: it changed meanwhile; nothing was written.")
    {
        Expected = expected;
        Actual = actual;
    }

    public CheckpointConflictException()
        : this("?", "?", 0, 0)
    {
    }

    public CheckpointConflictException(string message)
        : base(message)
    {
    }

    public CheckpointConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public long Expected { get; }

    public long Actual { get; }
}

/// <summary>The stream is held by someone else (an active run, or a checkpoint change being written).</summary>
public sealed class StreamLeaseHeldException : Exception
{
    public StreamLeaseHeldException(StreamLease holder)
        : base($"{holder.Source}/{holder.Stream} is held by {holder.Holder} until {holder.ExpiresAt:u}.") => Holder = holder;

    public StreamLeaseHeldException()
        : base("The stream is held.")
    {
    }

    public StreamLeaseHeldException(string message)
        : base(message)
    {
    }

    public StreamLeaseHeldException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StreamLease? Holder { get; }
}
