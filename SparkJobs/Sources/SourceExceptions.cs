namespace OpsConsole.SparkJobs.Sources;

/// <summary>The source kept failing (5xx, timeouts, resets, 429s) past the retry limits: the run fails with exit code 4.</summary>
public sealed class SourceFailedException : Exception
{
    public SourceFailedException(string message)
        : base(message)
    {
    }

    public SourceFailedException()
        : this("The source failed.")
    {
    }

    public SourceFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The source refused the request itself (400, 401, 403, 404 on a list): retrying cannot help.</summary>
public sealed class SourceRejectedException : Exception
{
    public SourceRejectedException(int status, string message, string? param = null)
        : base(message)
    {
        Status = status;
        Param = param;
    }

    public SourceRejectedException()
        : this(400, "The source rejected the request.")
    {
    }

    public SourceRejectedException(string message)
        : this(400, message)
    {
    }

    public SourceRejectedException(string message, Exception innerException)
        : base(message, innerException) => Status = 400;

    public int Status { get; }

    /// <summary>The parameter the source named, if any.</summary>
    public string? Param { get; }
}
