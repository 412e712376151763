namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>The driver gave its executors up: none finished or held a slice for too long (exit 4, a retryable failure).</summary>
public sealed class ExecutorsLostException : Exception
{
    public ExecutorsLostException()
    {
    }

    public ExecutorsLostException(string message)
        : base(message)
    {
    }

    public ExecutorsLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
