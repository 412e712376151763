using OpsConsole.Server.Runners;
using OpsConsole.Server.Runners.Kubernetes;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// A run as a Kubernetes Job: what the manifest says, that it validates against the Kubernetes schema
/// (kubernetes-models), that the source key reaches the pod only as a secretKeyRef, and the settings' checks.
/// </summary>
public sealed class KubernetesJobManifestTests
{
    private const string Secret = "sk_live_never_in_a_spec_4242";

    private static readonly RunInfo Run = new()
    {
        Id = "run-20261207-003500-ab12cd", Source = "stripe", Stream = "charges", Mode = "incremental", Workers = 8, State = RunState.Pending,
        CreatedAt = DateTimeOffset.UnixEpoch, LaunchedBy = "operator",
    };

    private static readonly JobSpec Spec = new(Run.Id, ["ingest", "--stream", "charges", "--run-id", Run.Id, "--lake", "s3://lake/warehouse?commitTable=c"],
        new Dictionary<string, string> { ["STRIPE_SECRET_KEY"] = Secret }, "/unused");

    private static KubernetesOptions Options() => new() { Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/opsconsole/job:1.0.0", SpotTolerationKey = "spot" };

    [Fact]
    public async Task OnDemandRun_IsAJobKubernetesAccepts_NeverRetried_Bounded_Labelled_WithTheKeyOnlyAsASecretReference()
    {
        var job = KubernetesJobManifest.Build(Spec, Run, Options(), "on-demand");
        var json = k8s.KubernetesJson.Serialize(job);

        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.Equal("opsconsole-run-20261207-003500-ab12cd", job.Metadata.Name);
        Assert.Equal((0, 6 * 3600L, 3600), (job.Spec.BackoffLimit, job.Spec.ActiveDeadlineSeconds, job.Spec.TtlSecondsAfterFinished));
        Assert.Equal(Run.Id, job.Metadata.Labels[KubernetesJobManifest.RunIdLabel]);
        Assert.Equal("charges", job.Spec.Template.Metadata.Labels[KubernetesJobManifest.StreamLabel]);
        Assert.Equal("operator", job.Metadata.Annotations[KubernetesJobManifest.LaunchedByAnnotation]);
        var pod = job.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy);
        Assert.Equal("ON_DEMAND", pod.NodeSelector["eks.amazonaws.com/capacityType"]);
        Assert.Null(pod.Tolerations);
        var container = Assert.Single(pod.Containers);
        Assert.Equal(Spec.Arguments, container.Args);
        var key = Assert.Single(container.Env);
        Assert.Equal(("STRIPE_SECRET_KEY", "opsconsole-source", "STRIPE_SECRET_KEY", null), (key.Name, key.ValueFrom.SecretKeyRef.Name, key.ValueFrom.SecretKeyRef.Key, key.Value));
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Empty(await ValidateAsync(json));
    }

    [Fact]
    public async Task SpotRun_GoesToSpotNodes_AndToleratesTheirTaint()
    {
        var job = KubernetesJobManifest.Build(Spec, Run, Options(), "spot");

        Assert.Equal("SPOT", job.Spec.Template.Spec.NodeSelector["eks.amazonaws.com/capacityType"]);
        Assert.Equal("spot", Assert.Single(job.Spec.Template.Spec.Tolerations).Key);
        Assert.Equal("spot", job.Metadata.Labels[KubernetesJobManifest.CapacityLabel]);
        Assert.Empty(await ValidateAsync(k8s.KubernetesJson.Serialize(job)));
    }

    [Fact]
    public async Task ExecutorsOfARun_AreAnIndexedJob_OneFailedIndexFailsNoOther_TheirPodsLabelledWithTheDriversJob()
    {
        var run = Run with { Executors = 3 };
        var spec = Spec with { Run = run, ExecutorArguments = ["execute", "--stream", "charges", "--run-id", Run.Id, "--executors", "3"] };

        var driver = KubernetesJobManifest.Build(spec, run, Options(), "on-demand");
        var executors = KubernetesJobManifest.BuildExecutors(spec, run, Options(), "on-demand");

        Assert.Equal($"{driver.Metadata.Name}-executors", executors.Metadata.Name);
        Assert.Equal(("Indexed", 3, 3, 0, 3, (int?)null), (executors.Spec.CompletionMode, executors.Spec.Completions, executors.Spec.Parallelism,
            executors.Spec.BackoffLimitPerIndex, executors.Spec.MaxFailedIndexes, executors.Spec.BackoffLimit));
        Assert.Equal(spec.ExecutorArguments, Assert.Single(executors.Spec.Template.Spec.Containers).Args);
        Assert.Equal(("executor", driver.Metadata.Name), (executors.Spec.Template.Metadata.Labels[KubernetesJobManifest.RoleLabel],
            executors.Spec.Template.Metadata.Labels[KubernetesJobManifest.DriverJobLabel]));
        Assert.Equal(("driver", driver.Metadata.Name), (driver.Spec.Template.Metadata.Labels[KubernetesJobManifest.RoleLabel],
            driver.Spec.Template.Metadata.Labels[KubernetesJobManifest.DriverJobLabel]));
        Assert.Empty(await ValidateAsync(k8s.KubernetesJson.Serialize(executors)));
        Assert.True(KubernetesJobManifest.ExecutorsJobName(KubernetesJobManifest.JobName(new string('x', 80))).Length <= 63);
    }

    [Fact]
    public async Task TheSchemaCheck_CanFail()
    {
        var errors = await ValidateAsync("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"x"},"spec":{"backoffLimit":"zero","template":{"spec":{"containers":[{"name":"job","image":"i"}],"restartPolicy":"Never"}}}}""");

        Assert.Contains("/spec/backoffLimit must be integer", errors);
    }

    [Theory]
    [InlineData("run-1", "opsconsole-run-1")]
    [InlineData("Run_With.Odd:Chars", "opsconsole-run-with-odd-chars")]
    [InlineData("run-20261207-003500-ab12cd-and-a-suffix-that-is-far-too-long-for-a-name", "opsconsole-run-20261207-003500-ab12cd-and-a-suffix-that-is-far")]
    public void JobName_IsAValidKubernetesName(string runId, string name)
    {
        Assert.Equal(name, KubernetesJobManifest.JobName(runId));
        Assert.True(KubernetesJobManifest.JobName(runId).Length <= 63);
    }

    [Theory]
    [InlineData("run-1", 1, "opsconsole-run-1")]
    [InlineData("run-1", 2, "opsconsole-run-1-a2")]
    [InlineData("run-20261207-003500-ab12cd-and-a-suffix-that-is-far-too-long-for-a-name", 10, "opsconsole-run-20261207-003500-ab12cd-and-a-suffix-that-is-a10")]
    public void JobName_OfARetry_IsItsOwnJob_StillAValidName(string runId, int attempt, string name)
    {
        Assert.Equal(name, KubernetesJobManifest.JobName(runId, attempt));
        Assert.True(name.Length <= 63);
    }

    [Fact]
    public void ARetrysJob_AndItsPods_CarryTheAttempt()
    {
        var retry = Run with { Attempts = 2 };
        var job = KubernetesJobManifest.Build(Spec with { Run = retry }, retry, Options(), "on-demand");

        Assert.Equal(KubernetesJobManifest.JobName(Run.Id, 2), job.Metadata.Name);
        Assert.Equal("2", job.Metadata.Labels[KubernetesJobManifest.AttemptLabel]);
        Assert.Equal("2", job.Spec.Template.Metadata.Labels[KubernetesJobManifest.AttemptLabel]);
        Assert.Equal(job.Metadata.Name, job.Spec.Template.Metadata.Labels[KubernetesJobManifest.DriverJobLabel]);
    }

    [Fact]
    public void Settings_EveryWrongValueIsNamed_WhenTheKubernetesRunnerIsChosen()
    {
        var wrong = new KubernetesOptions
        {
            Namespace = "Bad_Namespace", Image = "", ServiceAccount = "a b", SourceKeySecret = "", CpuRequest = "two", MemoryLimit = "-1Gi", Capacity = "cheap",
            Kubeconfig = "/nowhere/kubeconfig", ActiveDeadlineSeconds = 5, PendingTimeoutSeconds = 0,
        };

        var failures = Validator("kubernetes").Validate(null, wrong).Failures!.ToList();
        var untouched = Validator("local").Validate(null, wrong);

        foreach (var key in new[] { "Namespace", "Image", "ServiceAccount", "SourceKeySecret", "CpuRequest", "MemoryLimit", "Capacity", "Kubeconfig", "ActiveDeadlineSeconds", "PendingTimeoutSeconds" })
        {
            Assert.Contains(failures, f => f.StartsWith($"Kubernetes:{key} ", StringComparison.Ordinal));
        }
        Assert.Equal(10, failures.Count);
        Assert.True(untouched.Succeeded);
        Assert.True(Validator("kubernetes").Validate(null, Options()).Succeeded);
    }

    private static KubernetesOptionsValidator Validator(string kind) => new(Microsoft.Extensions.Options.Options.Create(new RunnerOptions { Kind = kind }));

    private static async Task<List<string>> ValidateAsync(string json)
    {
        var file = Path.Combine(Path.GetTempPath(), $"opsconsole-k8s-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        try
        {
            var results = await NodeTools.RunJsonAsync("k8s-validate.mjs", "kubernetes-models", file);
            return [.. results.EnumerateArray().SelectMany(r => r.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!))];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
