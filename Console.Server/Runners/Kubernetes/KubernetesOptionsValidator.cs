using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Runners.Kubernetes;

/// <summary>Checks every <c>Kubernetes:*</c> value when <c>Runner:Kind</c> is <c>kubernetes</c>, naming the key of each wrong one.</summary>
internal sealed partial class KubernetesOptionsValidator(IOptions<RunnerOptions> runner) : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        if (runner.Value.Kind != KubernetesJobManifest.Kind)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new OptionsErrors(KubernetesOptions.Section);
        errors.Require(DnsLabel().IsMatch(options.Namespace), nameof(KubernetesOptions.Namespace), $"'{options.Namespace}' is not a namespace name (lowercase letters, digits and '-', at most 63).");
        errors.Require(options.Image.Length > 0 && !options.Image.Any(char.IsWhiteSpace), nameof(KubernetesOptions.Image), "must name the job's image (registry/opsconsole/job:tag).");
        errors.Require(DnsSubdomain().IsMatch(options.ServiceAccount), nameof(KubernetesOptions.ServiceAccount), $"'{options.ServiceAccount}' is not a service account name.");
        errors.Require(DnsSubdomain().IsMatch(options.SourceKeySecret), nameof(KubernetesOptions.SourceKeySecret), $"'{options.SourceKeySecret}' is not a Secret name.");
        errors.Require(options.Kubeconfig.Length == 0 || File.Exists(options.Kubeconfig), nameof(KubernetesOptions.Kubeconfig), $"'{options.Kubeconfig}' does not exist (empty: the in-cluster configuration).");
        foreach (var (key, value) in new[]
                 {
                     (nameof(KubernetesOptions.CpuRequest), options.CpuRequest), (nameof(KubernetesOptions.MemoryRequest), options.MemoryRequest),
                     (nameof(KubernetesOptions.CpuLimit), options.CpuLimit), (nameof(KubernetesOptions.MemoryLimit), options.MemoryLimit),
                 })
        {
            errors.Require(KubernetesJobManifest.TryQuantity(value, out _), key, $"'{value}' is not a Kubernetes quantity (like 500m, 2, 4Gi).");
        }
        errors.Require(options.Capacity is "on-demand" or "spot", nameof(KubernetesOptions.Capacity), $"must be on-demand or spot (got '{options.Capacity}').");
        errors.Range(options.ActiveDeadlineSeconds, nameof(KubernetesOptions.ActiveDeadlineSeconds), 60, 7 * 86_400);
        errors.Range(options.TtlSecondsAfterFinished, nameof(KubernetesOptions.TtlSecondsAfterFinished), 0, 7 * 86_400);
        errors.Range(options.PendingTimeoutSeconds, nameof(KubernetesOptions.PendingTimeoutSeconds), 10, 86_400);
        return errors.ToResult();
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
