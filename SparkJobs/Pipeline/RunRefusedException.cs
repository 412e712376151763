namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>The run cannot do what was asked with this state (exit 2): the message says what to do instead.</summary>
public sealed class RunRefusedException : Exception
{
    public RunRefusedException()
    {
    }

    public RunRefusedException(string message)
        : base(message)
    {
    }

    public RunRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
