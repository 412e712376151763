namespace OpsConsole.Shared.Runs;

/// <summary>A pod of a run on Kubernetes, as the runner last saw it: where it runs, what it asked for, how it stands.</summary>
public sealed record RunPod
{
    public required string Name { get; init; }

    /// <summary><c>driver</c>, or <c>executor-N</c> for the executors of a run with more than one.</summary>
    public required string Role { get; init; }

    /// <summary>Pending, Running, Succeeded, Failed (Kubernetes' pod phase), or Deleted once it is gone.</summary>
    public required string Phase { get; init; }

    /// <summary>The node it was scheduled on; null while unscheduled.</summary>
    public string? Node { get; init; }

    /// <summary><c>on-demand</c> or <c>spot</c>, from the node's capacity-type label; null until known.</summary>
    public string? Capacity { get; init; }

    /// <summary>The CPU cores its containers request.</summary>
    public double Cpu { get; init; }

    /// <summary>The memory its containers request, in GiB.</summary>
    public double MemoryGiB { get; init; }

    /// <summary>Why it waits or why it ended (Unschedulable, ErrImagePull, OOMKilled, ...); null when nothing is wrong.</summary>
    public string? Reason { get; init; }
}
