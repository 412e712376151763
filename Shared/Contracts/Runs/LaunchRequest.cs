namespace OpsConsole.Shared.Runs;

/// <summary>What an operator asks for when launching a run (<c>POST /api/runs</c>).</summary>
public sealed record LaunchRequest
{
    /// <summary>The source system; only <c>stripe</c> (served by the Sandbox by default) today.</summary>
    public string? Source { get; init; } = Streams.StreamCatalog.Stripe;

    /// <summary><c>charges</c>, <c>customers</c> or <c>refunds</c>.</summary>
    public string? Stream { get; init; }

    /// <summary><c>incremental</c> (from the checkpoint) or <c>full</c>.</summary>
    public string? Mode { get; init; } = "incremental";

    /// <summary>Optional window start, UTC.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Optional window end (exclusive), UTC.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Slices fetched in parallel, 1 to 64.</summary>
    public int? Workers { get; init; }

    /// <summary><c>on-demand</c> or <c>spot</c> nodes (the Kubernetes runner; it also prices the run); unset: the configured default.</summary>
    public string? Capacity { get; init; }

    /// <summary>CPU the run's pod requests, a Kubernetes quantity (<c>500m</c>, <c>4</c>); the Kubernetes runner only; unset: <c>Kubernetes:CpuRequest</c>.</summary>
    public string? Cpu { get; init; }

    /// <summary>Memory the run's pod requests (<c>2Gi</c>, <c>8Gi</c>); the Kubernetes runner only; unset: <c>Kubernetes:MemoryRequest</c>.</summary>
    public string? Memory { get; init; }

    /// <summary>Executor pods that fetch the slices (1 to 16; more than 1 on Kubernetes only); unset: 1, the driver fetches.</summary>
    public int? Executors { get; init; }

    /// <summary>Automatic retries after a retryable failure (0 to 9, <see cref="RetryPolicy"/>); unset: 0.</summary>
    public int? Retries { get; init; }

    /// <summary>Seconds before the first retry (1 to 3600), doubling for each later one; unset: 60.</summary>
    public int? RetryBackoffSeconds { get; init; }
}

/// <summary>What the launch form offers: the runner's kind and the defaults a launch gets for what it leaves unset.</summary>
public sealed record LaunchDefaults(string Runner, string Capacity, string Cpu, string Memory)
{
    /// <summary>Whether a launch can ask for its own CPU and memory (runs on Kubernetes only).</summary>
    public bool Resources => Runner == "kubernetes";
}
