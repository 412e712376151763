using System.Diagnostics;
using System.Text.Json;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// deploy/k8s: each overlay renders offline with <c>kubectl kustomize</c>, every object validates against the Kubernetes
/// schema (kubernetes-models), and the console's pod is what the README promises. The runner's Role is checked against
/// the runner's own calls in <see cref="KubernetesRunnerTests"/>.
/// </summary>
public sealed class KubernetesManifestsTests
{
    [Theory]
    [InlineData("overlays/dev", "spot", "opsconsole.dev.example.com")]
    [InlineData("overlays/prod", null, "opsconsole.example.com")]
    public async Task Overlay_RendersOffline_EveryObjectValidates_AndTheConsoleRunsAsPromised(string overlay, string? capacity, string host)
    {
        var objects = await RenderAsync(overlay);

        Assert.All(objects, o => Assert.True(o.GetProperty("errors").GetArrayLength() == 0, $"{o.GetProperty("kind")} {o.GetProperty("name")}: {o.GetProperty("errors")}"));
        Assert.Equal(
            ["apps/v1/Deployment", "networking.k8s.io/v1/Ingress", "networking.k8s.io/v1/NetworkPolicy", "networking.k8s.io/v1/NetworkPolicy", "policy/v1/PodDisruptionBudget",
             "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding", "v1/ConfigMap", "v1/Namespace", "v1/PersistentVolumeClaim", "v1/Service",
             "v1/ServiceAccount", "v1/ServiceAccount"],
            objects.Select(o => o.GetProperty("kind").GetString()!).Order(StringComparer.Ordinal));
        var deployment = Object(objects, "apps/v1/Deployment");
        Assert.Equal(1, deployment.GetProperty("spec").GetProperty("replicas").GetInt32());
        var pod = deployment.GetProperty("spec").GetProperty("template").GetProperty("spec");
        var console = pod.GetProperty("containers")[0];
        Assert.Equal("/readyz", console.GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal("/healthz", console.GetProperty("livenessProbe").GetProperty("httpGet").GetProperty("path").GetString());
        Assert.True(pod.GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        Assert.True(console.GetProperty("securityContext").GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.Equal("opsconsole-source", console.GetProperty("env")[0].GetProperty("valueFrom").GetProperty("secretKeyRef").GetProperty("name").GetString());
        var config = Object(objects, "v1/ConfigMap").GetProperty("data");
        Assert.Equal("kubernetes", config.GetProperty("Runner__Kind").GetString());
        Assert.DoesNotContain(config.EnumerateObject(), p => p.Value.GetString()!.StartsWith("sk_", StringComparison.Ordinal));
        Assert.Equal(capacity, config.TryGetProperty("Kubernetes__Capacity", out var c) ? c.GetString() : null);
        Assert.Equal(host, Object(objects, "networking.k8s.io/v1/Ingress").GetProperty("spec").GetProperty("rules")[0].GetProperty("host").GetString());
        var accounts = objects.Where(o => o.GetProperty("kind").GetString() == "v1/ServiceAccount").Select(o => o.GetProperty("object")).ToList();
        Assert.All(accounts, a => Assert.StartsWith("arn:aws:iam::", a.GetProperty("metadata").GetProperty("annotations").GetProperty("eks.amazonaws.com/role-arn").GetString(), StringComparison.Ordinal));
    }

    /// <summary>
    /// What the base grants the console's service account, its Role (in the namespace) and its ClusterRole (cluster-wide
    /// objects, marked <c>cluster:</c>): (API group, resource, verb) triples.
    /// </summary>
    public static async Task<SortedSet<string>> RunnerRoleAsync()
    {
        var objects = await RenderAsync("base");
        var granted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (scope, rule) in Object(objects, "rbac.authorization.k8s.io/v1/Role").GetProperty("rules").EnumerateArray().Select(r => ("", r))
                     .Concat(Object(objects, "rbac.authorization.k8s.io/v1/ClusterRole").GetProperty("rules").EnumerateArray().Select(r => ("cluster:", r))))
        {
            foreach (var group in rule.GetProperty("apiGroups").EnumerateArray())
            {
                foreach (var resource in rule.GetProperty("resources").EnumerateArray())
                {
                    foreach (var verb in rule.GetProperty("verbs").EnumerateArray())
                    {
                        granted.Add($"{scope}{group.GetString()}/{resource.GetString()}:{verb.GetString()}");
                    }
                }
            }
        }
        return granted;
    }

    private static JsonElement Object(List<JsonElement> objects, string kind) => objects.Single(o => o.GetProperty("kind").GetString() == kind).GetProperty("object");

    private static async Task<List<JsonElement>> RenderAsync(string folder)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["kustomize", Path.Combine(RepoPaths.Root, "deploy", "k8s", folder)])
        {
            start.ArgumentList.Add(argument);
        }
        using var kubectl = Process.Start(start)!;
        var yaml = await kubectl.StandardOutput.ReadToEndAsync();
        var error = await kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {folder}: {error}");
        var file = Path.Combine(Path.GetTempPath(), $"opsconsole-k8s-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return [.. (await NodeTools.RunJsonAsync("k8s-validate.mjs", "kubernetes-models", file)).EnumerateArray()];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
