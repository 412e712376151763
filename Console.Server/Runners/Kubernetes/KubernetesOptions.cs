namespace OpsConsole.Server.Runners.Kubernetes;

/// <summary>
/// Where and how runs start as Kubernetes Jobs (<c>Runner:Kind=kubernetes</c>). Section <c>Kubernetes</c>; checked at
/// start when that runner is chosen, each wrong value named by its key.
/// </summary>
public sealed class KubernetesOptions
{
    public const string Section = "Kubernetes";

    /// <summary>The namespace the Jobs run in.</summary>
    public string Namespace { get; set; } = "opsconsole";

    /// <summary>The job's image (<c>registry/opsconsole/job:tag</c>); its entrypoint is the SparkJobs command.</summary>
    public string Image { get; set; } = "";

    /// <summary>The pods' service account (annotated with the job role's ARN for IRSA).</summary>
    public string ServiceAccount { get; set; } = "opsconsole-job";

    /// <summary>A kubeconfig file; empty: the in-cluster configuration (the console's own service account).</summary>
    public string Kubeconfig { get; set; } = "";

    /// <summary>
    /// The Secret holding the job's secrets, one key per environment variable the job reads (<c>STRIPE_SECRET_KEY</c>).
    /// Pods get them only as <c>secretKeyRef</c>: no secret value is ever in a Job's spec, the log or the audit.
    /// </summary>
    public string SourceKeySecret { get; set; } = "opsconsole-source";

    /// <summary>Resource requests and limits of the job's container, Kubernetes quantities.</summary>
    public string CpuRequest { get; set; } = "2";

    public string MemoryRequest { get; set; } = "4Gi";

    public string CpuLimit { get; set; } = "2";

    public string MemoryLimit { get; set; } = "4Gi";

    /// <summary>The capacity a run gets unless its launch asks for the other: <c>on-demand</c> or <c>spot</c>.</summary>
    public string Capacity { get; set; } = "on-demand";

    /// <summary>Node selectors per capacity (EKS managed node groups label nodes <c>eks.amazonaws.com/capacityType</c>).</summary>
    public Dictionary<string, string> OnDemandNodeSelector { get; set; } = new() { ["eks.amazonaws.com/capacityType"] = "ON_DEMAND" };

    public Dictionary<string, string> SpotNodeSelector { get; set; } = new() { ["eks.amazonaws.com/capacityType"] = "SPOT" };

    /// <summary>A taint key spot nodes carry (<c>key=true:NoSchedule</c>) that spot runs tolerate; empty: none.</summary>
    public string SpotTolerationKey { get; set; } = "";

    /// <summary>The longest a run's Job may run (<c>activeDeadlineSeconds</c>).</summary>
    public int ActiveDeadlineSeconds { get; set; } = 6 * 3600;

    /// <summary>How long an ended Job stays for inspection before Kubernetes removes it (<c>ttlSecondsAfterFinished</c>).</summary>
    public int TtlSecondsAfterFinished { get; set; } = 3600;

    /// <summary>How long a run's pod may stay Pending (unschedulable, image not pulled) before the run fails.</summary>
    public int PendingTimeoutSeconds { get; set; } = 300;
}
