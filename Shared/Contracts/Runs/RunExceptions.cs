namespace OpsConsole.Shared.Runs;

/// <summary>The stream already has an active run (the API answers 409 with its id).</summary>
public sealed class StreamBusyException : Exception
{
    public StreamBusyException(string source, string stream, string activeRun, string? detail = null)
        : base(detail ?? $"{source}/{stream} already has an active run: {activeRun}.")
    {
        SourceName = source;
        Stream = stream;
        ActiveRun = activeRun;
    }

    public StreamBusyException()
        : this("", "", "")
    {
    }

    public StreamBusyException(string message)
        : base(message)
    {
        SourceName = Stream = ActiveRun = "";
    }

    public StreamBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = Stream = ActiveRun = "";
    }

    /// <summary>The source system (<c>stripe</c>).</summary>
    public string SourceName { get; }

    public string Stream { get; }

    /// <summary>The run (or, for a job started outside the console, the lease holder) that has the stream.</summary>
    public string ActiveRun { get; }
}

/// <summary>A state change the run's current state does not allow (the API answers 409).</summary>
public sealed class RunStateConflictException : Exception
{
    public RunStateConflictException(string runId, RunState current, string action)
        : base($"Run {runId} is {current}: it cannot be {action}.")
    {
        RunId = runId;
        Current = current;
    }

    public RunStateConflictException()
    {
        RunId = "";
    }

    public RunStateConflictException(string message)
        : base(message) => RunId = "";

    public RunStateConflictException(string message, Exception innerException)
        : base(message, innerException) => RunId = "";

    public string RunId { get; }

    public RunState Current { get; }
}
