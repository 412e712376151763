using k8s.Models;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runners.Kubernetes;

/// <summary>
/// A run as a <c>batch/v1</c> Job: one pod, never retried by Kubernetes (<c>backoffLimit: 0</c>: the console owns
/// retries), bounded by <c>activeDeadlineSeconds</c>, removed <c>ttlSecondsAfterFinished</c> after it ends; labelled
/// with the run id and stream (how the runner finds its pods and a restarted console its Jobs), the launcher in an
/// annotation. The job's environment is its secrets: each variable comes from the Secret
/// <see cref="KubernetesOptions.SourceKeySecret"/> through <c>secretKeyRef</c>, so no secret value is ever in the spec.
/// The container runs as a non-root user on a read-only root filesystem with a writable <c>/tmp</c>.
/// </summary>
internal static class KubernetesJobManifest
{
    public const string Kind = "kubernetes";
    public const string RunIdLabel = "opsconsole.io/run-id";
    public const string StreamLabel = "opsconsole.io/stream";
    public const string SourceLabel = "opsconsole.io/source";
    public const string CapacityLabel = "opsconsole.io/capacity";
    /// <summary>The pod's part in the run: <c>driver</c>, or <c>executor</c> (its index is the Job's completion index).</summary>
    public const string RoleLabel = "opsconsole.io/role";
    /// <summary>On every pod of a run (driver and executors): the driver Job's name, what the runner watches the run's pods by.</summary>
    public const string DriverJobLabel = "opsconsole.io/driver-job";
    /// <summary>The label Kubernetes puts on each pod of an Indexed Job: its index.</summary>
    public const string CompletionIndexLabel = "batch.kubernetes.io/job-completion-index";
    public const string LaunchedByAnnotation = "opsconsole.io/launched-by";
    public const string ManagedBy = "opsconsole-console";
    public const string Container = "job";

    /// <summary>
    /// The Job's name: <c>opsconsole-{run id}</c>, lowercased and cut to Kubernetes' 63 characters; a retry's attempt
    /// (2 and on) ends in <c>-a{attempt}</c>, so each attempt is its own Job beside the ended one.
    /// </summary>
    public static string JobName(string runId, int attempt = 1)
    {
        var name = $"opsconsole-{runId}".ToLowerInvariant();
        name = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-')]);
        var suffix = attempt > 1 ? $"-a{attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "";
        return (name.Length + suffix.Length <= 63 ? name : name[..(63 - suffix.Length)].TrimEnd('-')) + suffix;
    }

    /// <summary>On every Job and pod of a run: which attempt of the run it belongs to.</summary>
    public const string AttemptLabel = "opsconsole.io/attempt";

    /// <summary>The executors' Job of a run: the driver Job's name with <c>-executors</c> (cut so the whole fits 63).</summary>
    public static string ExecutorsJobName(string driverJob) => $"{(driverJob.Length <= 53 ? driverJob : driverJob[..53].TrimEnd('-'))}-executors";

    /// <summary>The run's driver: plans, (with executors) waits for them, merges, judges and commits.</summary>
    public static V1Job Build(JobSpec spec, RunInfo run, KubernetesOptions options, string capacity) =>
        Job(JobName(run.Id, run.Attempts), "driver", spec.Arguments, spec, run, options, capacity, executors: null);

    /// <summary>
    /// The run's executors: an Indexed Job of <see cref="RunInfo.Executors"/> pods started at once, each fetching slices
    /// from the run's queue. A failed executor is not replaced and fails no other (<c>backoffLimitPerIndex: 0</c>,
    /// <c>maxFailedIndexes</c> = all): the others take its slices over.
    /// </summary>
    public static V1Job BuildExecutors(JobSpec spec, RunInfo run, KubernetesOptions options, string capacity) =>
        Job(ExecutorsJobName(JobName(run.Id, run.Attempts)), "executor", spec.ExecutorArguments ?? throw new ArgumentException("The run has no executors.", nameof(spec)),
            spec, run, options, capacity, run.Executors);

    private static V1Job Job(string name, string role, IReadOnlyList<string> arguments, JobSpec spec, RunInfo run, KubernetesOptions options, string capacity, int? executors)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "opsconsole-job", ["app.kubernetes.io/managed-by"] = ManagedBy,
            [RunIdLabel] = Label(run.Id), [SourceLabel] = Label(run.Source), [StreamLabel] = Label(run.Stream), [CapacityLabel] = capacity,
            [RoleLabel] = role, [DriverJobLabel] = JobName(run.Id, run.Attempts),
            [AttemptLabel] = Math.Max(1, run.Attempts).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = options.Namespace, Labels = labels,
                Annotations = new Dictionary<string, string> { [LaunchedByAnnotation] = run.LaunchedBy },
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = executors is null ? 0 : null,
                CompletionMode = executors is null ? null : "Indexed",
                Completions = executors,
                Parallelism = executors,
                BackoffLimitPerIndex = executors is null ? null : 0,
                MaxFailedIndexes = executors,
                ActiveDeadlineSeconds = options.ActiveDeadlineSeconds,
                TtlSecondsAfterFinished = options.TtlSecondsAfterFinished,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = PodSpec(arguments, spec, run, options, capacity),
                },
            },
        };
    }

    /// <summary>
    /// The configured requests and limits, or what the run asked for: a run that names its CPU or memory gets it as
    /// both request and limit (a pod Kubernetes neither throttles nor evicts before others for it).
    /// </summary>
    private static V1ResourceRequirements Resources(RunInfo run, KubernetesOptions options) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(run.Cpu ?? options.CpuRequest), ["memory"] = new(run.Memory ?? options.MemoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(run.Cpu ?? options.CpuLimit), ["memory"] = new(run.Memory ?? options.MemoryLimit) },
    };

    private static V1PodSpec PodSpec(IReadOnlyList<string> arguments, JobSpec spec, RunInfo run, KubernetesOptions options, string capacity) => new()
    {
        RestartPolicy = "Never",
        ServiceAccountName = options.ServiceAccount,
        // The job stops on SIGTERM within the console's grace period; Kubernetes waits as long before SIGKILL.
        TerminationGracePeriodSeconds = 30,
        NodeSelector = capacity == "spot" ? options.SpotNodeSelector : options.OnDemandNodeSelector,
        Tolerations = capacity == "spot" && options.SpotTolerationKey.Length > 0
            ? [new V1Toleration { Key = options.SpotTolerationKey, OperatorProperty = "Exists", Effect = "NoSchedule" }]
            : null,
        SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 10001, RunAsGroup = 10001, FsGroup = 10001, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
        Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
        Containers =
        [
            new V1Container
            {
                Name = Container,
                Image = options.Image,
                Args = [.. arguments],
                Env = [.. spec.Environment.Keys.Order(StringComparer.Ordinal).Select(variable => new V1EnvVar
                {
                    Name = variable,
                    ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = options.SourceKeySecret, Key = variable } },
                })],
                Resources = Resources(run, options),
                SecurityContext = new V1SecurityContext
                {
                    AllowPrivilegeEscalation = false, ReadOnlyRootFilesystem = true, Capabilities = new V1Capabilities { Drop = ["ALL"] },
                },
                VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
            },
        ],
    };

    /// <summary>True when <paramref name="value"/> is a Kubernetes quantity (<c>500m</c>, <c>2</c>, <c>4Gi</c>, <c>1e3</c>).</summary>
    public static bool TryQuantity(string value, out ResourceQuantity? quantity)
    {
        quantity = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        try
        {
            quantity = new ResourceQuantity(value);
            return quantity.ToDecimal() >= 0;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>A label value: at most 63 of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.</summary>
    private static string Label(string value)
    {
        var label = new string([.. value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        label = label.Length <= 63 ? label : label[..63];
        return label.Trim('-', '_', '.');
    }
}
