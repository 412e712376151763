using System.Diagnostics;
using k8s;
using k8s.Models;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The Kubernetes API test server answers the real <c>kubectl</c> (Debian's kubernetes-client) as a cluster would for
/// the calls the runner makes: finding Jobs by label, a pod's log followed to its end, a foreground delete, a watch of
/// pods from a list's resourceVersion, a node's labels.
/// </summary>
public sealed class KubernetesApiServerTests : IAsyncLifetime
{
    private KubernetesApiServer _kube = default!;

    public async Task InitializeAsync()
    {
        _kube = await KubernetesApiServer.StartAsync();
        _kube.Images = image => image == "busybox" ? ("sh", ["-c"]) : throw new InvalidOperationException(image);
    }

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    [Fact]
    public async Task Kubectl_FindsTheJobByLabel_FollowsItsPodsLog_AndDeletesItInTheForeground()
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kube.Kubeconfig));
        await client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "probe", Labels = new Dictionary<string, string> { ["opsconsole.io/run-id"] = "run-1" } },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["opsconsole.io/run-id"] = "run-1" } },
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "job", Image = "busybox", Args = ["echo one; sleep 0.3; echo two"] }] },
                },
            },
        }, "opsconsole");

        var jobs = await KubectlAsync("get", "jobs", "-l", "opsconsole.io/run-id=run-1", "-o", "name");
        var pod = await KubectlAsync("get", "pods", "-l", "job-name=probe", "-o", "jsonpath={.items[0].metadata.name}");
        var followed = await KubectlAsync("logs", "-f", pod);
        var stamped = await KubectlAsync("logs", pod, "--timestamps");
        var deleted = await KubectlAsync("delete", "job", "probe", "--cascade=foreground", "--wait=false");

        Assert.Equal("job.batch/probe", jobs.Trim());
        Assert.StartsWith("probe-", pod, StringComparison.Ordinal);
        Assert.Equal("one\ntwo\n", followed);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z two\n$", stamped);
        Assert.Equal("job.batch \"probe\" deleted", deleted.Trim());
        for (var wait = 0; _kube.Objects() is not { Jobs.Count: 0, Pods.Count: 0 }; wait++)
        {
            Assert.True(wait < 50, "the Job or its pod is left");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Kubectl_WatchesThePodFromListToEnd_AndReadsItsNodesCapacityType()
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kube.Kubeconfig));
        using var watching = Kubectl("get", "pods", "-l", "job-name=watched", "--watch", "--output-watch-events",
            "-o", "custom-columns=EVENT:.type,NAME:.object.metadata.name,PHASE:.object.status.phase,NODE:.object.spec.nodeName", "--no-headers");
        var output = new System.Text.StringBuilder();
        watching.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        watching.BeginOutputReadLine();
        await Task.Delay(1000); // kubectl lists (nothing yet), then watches from that list's resourceVersion
        await client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "watched" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never", NodeSelector = new Dictionary<string, string> { ["eks.amazonaws.com/capacityType"] = "SPOT" },
                        Containers = [new V1Container { Name = "job", Image = "busybox", Args = ["sleep 0.3; echo done"] }],
                    },
                },
            },
        }, "opsconsole");

        string Seen()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
        for (var wait = 0; !Seen().Contains("Succeeded", StringComparison.Ordinal); wait++)
        {
            Assert.True(wait < 100, $"kubectl saw: {Seen()}");
            await Task.Delay(100);
        }
        watching.Kill();
        var node = await KubectlAsync("get", "node", "ip-10-0-2-42.ec2.internal", "-o", "jsonpath={.metadata.labels.eks\\.amazonaws\\.com/capacityType}");

        var events = Seen().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal("ADDED", events[0][0]);
        Assert.Contains(events, e => e is ["MODIFIED", _, "Running", "ip-10-0-2-42.ec2.internal"]);
        Assert.Equal(["MODIFIED", "Succeeded"], events[^1].Where((_, i) => i is 0 or 2));
        Assert.Contains(_kube.Requests, r => r.Contains("/pods?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal) && r.Contains("resourceVersion=", StringComparison.Ordinal));
        Assert.Equal("SPOT", node);
    }

    private Process Kubectl(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--kubeconfig", _kube.Kubeconfig, "--namespace", "opsconsole", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    private async Task<string> KubectlAsync(params string[] arguments)
    {
        using var kubectl = Kubectl(arguments);
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var error = kubectl.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await kubectl.WaitForExitAsync(timeout.Token);
        Assert.True(kubectl.ExitCode == 0, $"kubectl {string.Join(' ', arguments)} exited {kubectl.ExitCode}: {await error}\nrequests:\n{string.Join('\n', _kube.Requests.TakeLast(20))}");
        return await output;
    }
}
