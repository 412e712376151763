using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsConsole.TestSupport;

/// <summary>
/// A Kubernetes API server for the tests, where no real one can run: the endpoints the Kubernetes runner calls, over
/// plain HTTP on a loopback port, with a kubeconfig pointing at it. Jobs (create, get, list by label, delete with a
/// propagation policy and a grace period), Pods (list by label, get, log with <c>follow</c>, <c>timestamps</c> and
/// <c>sinceTime</c>; watch by label from a resourceVersion, as chunked JSON lines, with <c>ERROR</c> <c>410 Gone</c>
/// for a version older than the kept history), Events (list by the involved object) and Nodes (get). A Job gets one
/// pod, scheduled at once on the first node whose labels match its <c>nodeSelector</c> (none: it stays Pending with a
/// <c>FailedScheduling</c> event), whose container is a real process on this machine (the image names the command),
/// its environment resolved from the server's Secrets, its output kept with a timestamp per line, its end turned into
/// the pod's terminated state and the Job's conditions. Not reproduced: watches of anything but pods, bookmarks,
/// resource limits and requests (nothing is reserved on a node), images (no pull), authentication (any token), and
/// every endpoint not listed here (404).
/// </summary>
public sealed class KubernetesApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, V1Job> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodRun> _pods = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Type, V1Pod Pod, string Json)> _podHistory = [];
    private long _version = 1000;
    private long _historyStart = 1000;
    private TaskCompletionSource _podChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _watches = new();

    private KubernetesApiServer(WebApplication app, string folder)
    {
        (_app, Folder) = (app, folder);
    }

    /// <summary>What a container's image runs here: the program and the arguments before the container's own.</summary>
    public Func<string, (string Program, IReadOnlyList<string> Prefix)> Images { get; set; } = image => throw new InvalidOperationException($"no command for image {image}");

    /// <summary>Images that cannot be pulled: their pods stay Pending, waiting with <c>ErrImagePull</c>, and get a Warning event.</summary>
    public HashSet<string> UnpullableImages { get; } = new(StringComparer.Ordinal);

    /// <summary>Secrets by name, each a map of keys to values, as <c>secretKeyRef</c> reads them.</summary>
    public Dictionary<string, Dictionary<string, string>> Secrets { get; } = new(StringComparer.Ordinal);

    private readonly List<(string Job, string Policy, int Grace)> _deletes = [];
    private readonly List<string> _requests = [];

    /// <summary>Every Job deletion so far: its name, propagation policy and grace period (a copy: the server adds to it as requests come).</summary>
    public IReadOnlyList<(string Job, string Policy, int Grace)> Deletes { get { lock (_gate) { return [.. _deletes]; } } }

    /// <summary>Every request so far, as "METHOD path?query", in order: what the runner called (a copy).</summary>
    public IReadOnlyList<string> Requests { get { lock (_gate) { return [.. _requests]; } } }

    /// <summary>The cluster's nodes and their labels: one on-demand and one spot node, as EKS managed node groups label them.</summary>
    public Dictionary<string, Dictionary<string, string>> Nodes { get; } = new(StringComparer.Ordinal)
    {
        ["ip-10-0-1-17.ec2.internal"] = new() { ["eks.amazonaws.com/capacityType"] = "ON_DEMAND", ["node.kubernetes.io/instance-type"] = "m6i.large" },
        ["ip-10-0-2-42.ec2.internal"] = new() { ["eks.amazonaws.com/capacityType"] = "SPOT", ["node.kubernetes.io/instance-type"] = "m6i.large" },
    };

    /// <summary>How many pod watches were opened, and how many of them were answered 410 Gone.</summary>
    public (int Opened, int Gone) PodWatches { get; private set; }

    public string Folder { get; }

    public Uri Address { get; private set; } = default!;

    /// <summary>A kubeconfig naming this server (context <c>test</c>, a bearer token the server ignores).</summary>
    public string Kubeconfig => Path.Combine(Folder, "kubeconfig");

    public static async Task<KubernetesApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new KubernetesApiServer(app, Directory.CreateTempSubdirectory("opsconsole-kube-").FullName);
        server.Map(app);
        await app.StartAsync();
        server.Address = new Uri(app.Urls.First());
        await File.WriteAllTextAsync(server.Kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {server.Address.ToString().TrimEnd('/')}
            users:
            - name: test
              user:
                token: test-token
            contexts:
            - name: test
              context:
                cluster: test
                user: test
                namespace: opsconsole
            current-context: test
            """);
        return server;
    }

    /// <summary>The Jobs and Pods that exist now, by namespace/name.</summary>
    public (IReadOnlyList<string> Jobs, IReadOnlyList<string> Pods) Objects()
    {
        lock (_gate)
        {
            return ([.. _jobs.Keys.Order(StringComparer.Ordinal)], [.. _pods.Keys.Order(StringComparer.Ordinal)]);
        }
    }

    /// <summary>How many pods still run a process.</summary>
    public int RunningPods()
    {
        lock (_gate)
        {
            return _pods.Values.Count(p => p.Process is { HasExited: false });
        }
    }

    /// <summary>A Job as it was created (JSON), or null.</summary>
    public string? JobJson(string ns, string name)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue($"{ns}/{name}", out var job) ? KubernetesJson.Serialize(job) : null;
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            lock (_gate)
            {
                _requests.Add($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            }
            await next(context);
        });
        // Discovery, the legacy (unaggregated) form kubectl falls back to: what kubectl needs to find jobs, pods, events and nodes.
        app.MapGet("/version", () => Raw("""{"major":"1","minor":"32","gitVersion":"v1.32.0-opsconsole-test","platform":"linux/amd64"}"""));
        app.MapGet("/api", () => Raw($$"""{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"{{Address.Authority}}"}]}"""));
        app.MapGet("/apis", () => Raw("""
            {"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"batch","versions":[{"groupVersion":"batch/v1","version":"v1"}],
             "preferredVersion":{"groupVersion":"batch/v1","version":"v1"}}]}
            """));
        app.MapGet("/api/v1", () => Raw("""
            {"kind":"APIResourceList","groupVersion":"v1","resources":[
             {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list","watch"],"shortNames":["po"]},
             {"name":"nodes","singularName":"node","namespaced":false,"kind":"Node","verbs":["get"],"shortNames":["no"]},
             {"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]},
             {"name":"events","singularName":"event","namespaced":true,"kind":"Event","verbs":["list"],"shortNames":["ev"]}]}
            """));
        app.MapGet("/apis/batch/v1", () => Raw("""
            {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"batch/v1","resources":[
             {"name":"jobs","singularName":"job","namespaced":true,"kind":"Job","verbs":["create","delete","get","list"]}]}
            """));
        app.MapPost("/apis/batch/v1/namespaces/{ns}/jobs", CreateJobAsync);
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs", (string ns, string? labelSelector) => List(ns, labelSelector, jobs: true));
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (string ns, string name) => Get(ns, name, jobs: true));
        app.MapDelete("/apis/batch/v1/namespaces/{ns}/jobs/{name}", DeleteJobAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods", ListOrWatchPodsAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) => Get(ns, name, jobs: false));
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", LogAsync);
        app.MapGet("/api/v1/namespaces/{ns}/events", Events);
        app.MapGet("/api/v1/nodes/{name}", Node);
    }

    private async Task<IResult> CreateJobAsync(string ns, HttpRequest request)
    {
        var job = KubernetesJson.Deserialize<V1Job>(await new StreamReader(request.Body).ReadToEndAsync());
        var key = $"{ns}/{job.Metadata.Name}";
        // An Indexed Job gets its completions as pods at once, each knowing its index; any other Job one pod.
        var indexes = job.Spec.CompletionMode == "Indexed" ? Enumerable.Range(0, job.Spec.Completions ?? 1).Select(i => (int?)i).ToList() : [null];
        List<V1Pod> pods;
        lock (_gate)
        {
            if (_jobs.ContainsKey(key))
            {
                return Status(409, "AlreadyExists", $"jobs.batch \"{job.Metadata.Name}\" already exists");
            }
            (job.ApiVersion, job.Kind) = ("batch/v1", "Job"); // a client may leave them out; the server's answers always carry them
            job.Metadata.NamespaceProperty = ns;
            job.Metadata.Uid = Guid.NewGuid().ToString();
            job.Metadata.CreationTimestamp = DateTime.UtcNow;
            job.Metadata.ResourceVersion = Next();
            job.Status = new V1JobStatus { Active = indexes.Count, StartTime = DateTime.UtcNow };
            _jobs[key] = job;
            pods = [.. indexes.Select(index => NewPod(job, index))];
        }
        foreach (var pod in pods)
        {
            var run = new PodRun(pod);
            bool scheduled;
            lock (_gate)
            {
                _pods[$"{ns}/{pod.Metadata.Name}"] = run;
                Changed(pod, "ADDED");
                scheduled = Schedule(run);
            }
            if (!scheduled)
            {
                run.Exited.TrySetResult(); // nothing runs: a delete removes it at once
            }
            else if (UnpullableImages.Contains(pod.Spec.Containers[0].Image))
            {
                Unpullable(run);
            }
            else
            {
                Start(run, job);
            }
        }
        return Json(job, 201);
    }

    private static V1Pod NewPod(V1Job job, int? index)
    {
        var labels = new Dictionary<string, string>(job.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            ["job-name"] = job.Metadata.Name, ["batch.kubernetes.io/job-name"] = job.Metadata.Name, ["controller-uid"] = job.Metadata.Uid,
        };
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(job.Spec.Template.Spec));
        if (index is { } i)
        {
            labels["batch.kubernetes.io/job-completion-index"] = $"{i}";
            foreach (var container in spec.Containers)
            {
                container.Env = [.. container.Env ?? [], new V1EnvVar { Name = "JOB_COMPLETION_INDEX", Value = $"{i}" }];
            }
        }
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = $"{job.Metadata.Name}-{(index is { } n ? $"{n}-" : "")}{Guid.NewGuid().ToString("N")[..5]}", NamespaceProperty = job.Metadata.NamespaceProperty, Labels = labels,
                Uid = Guid.NewGuid().ToString(), CreationTimestamp = DateTime.UtcNow,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true }],
            },
            // A copy: scheduling sets the pod's node, not the template's.
            Spec = spec,
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }

    /// <summary>
    /// A pod changed (under the lock): it gets the next resourceVersion and the change goes into the history that
    /// watches replay and follow.
    /// </summary>
    private void Changed(V1Pod pod, string type)
    {
        var version = Interlocked.Increment(ref _version);
        pod.Metadata.ResourceVersion = $"{version}";
        _podHistory.Add((version, type, pod, KubernetesJson.Serialize(new { type, @object = pod })));
        var changed = _podChanged;
        _podChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>
    /// Forgets the pod history and closes every open watch, as an API server does after etcd compaction: a client
    /// that watches again from a version it had gets <c>410 Gone</c> and must list again.
    /// </summary>
    public void ExpireWatches()
    {
        CancellationTokenSource watches;
        lock (_gate)
        {
            _podHistory.Clear();
            _historyStart = _version + 1;
            (watches, _watches) = (_watches, new CancellationTokenSource());
        }
        watches.Cancel();
        watches.Dispose();
    }

    /// <summary>Schedules the pod on the first node matching its selector (under the lock); false when none does.</summary>
    private bool Schedule(PodRun run)
    {
        var selector = run.Pod.Spec.NodeSelector ?? new Dictionary<string, string>();
        var node = Nodes.FirstOrDefault(n => selector.All(s => n.Value.TryGetValue(s.Key, out var v) && v == s.Value)).Key;
        if (node is not null)
        {
            run.Pod.Spec.NodeName = node;
            return true;
        }
        var message = $"0/{Nodes.Count} nodes are available: {Nodes.Count} node(s) didn't match Pod's node affinity/selector. preemption: 0/{Nodes.Count} nodes are available: {Nodes.Count} Preemption is not helpful for scheduling.";
        run.Pod.Status.Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = message }];
        Warn(run, "FailedScheduling", message);
        Changed(run.Pod, "MODIFIED");
        return false;
    }

    private static void Warn(PodRun run, string reason, string message) => run.Events.Add(new Corev1Event
    {
        ApiVersion = "v1", Kind = "Event", Type = "Warning", Reason = reason, Message = message, Count = 1,
        Metadata = new V1ObjectMeta { Name = $"{run.Pod.Metadata.Name}.{Guid.NewGuid().ToString("N")[..8]}", NamespaceProperty = run.Pod.Metadata.NamespaceProperty, Uid = Guid.NewGuid().ToString() },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = run.Pod.Metadata.Name, NamespaceProperty = run.Pod.Metadata.NamespaceProperty, Uid = run.Pod.Metadata.Uid },
        FirstTimestamp = DateTime.UtcNow, LastTimestamp = DateTime.UtcNow,
    });

    /// <summary>Starts the pod's container as a process; its end becomes the pod's and the Job's status.</summary>
    private void Start(PodRun run, V1Job job)
    {
        var container = run.Pod.Spec.Containers[0];
        var (program, prefix) = Images(container.Image);
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (IEnumerable<string>)[.. prefix, .. container.Args ?? []])
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var variable in container.Env ?? [])
        {
            var reference = variable.ValueFrom?.SecretKeyRef;
            start.Environment[variable.Name] = reference is null ? variable.Value
                : Secrets.TryGetValue(reference.Name, out var secret) && secret.TryGetValue(reference.Key, out var value) ? value : "";
        }
        var process = Process.Start(start)!;
        run.Process = process;
        lock (_gate)
        {
            run.Pod.Status = new V1PodStatus
            {
                Phase = "Running", StartTime = DateTime.UtcNow, PodIP = "127.0.0.1",
                ContainerStatuses = [new V1ContainerStatus { Name = container.Name, Image = container.Image, ImageID = container.Image, Ready = true, RestartCount = 0, State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } } }],
            };
            Changed(run.Pod, "MODIFIED");
        }
        var stdout = PumpAsync(run, process.StandardOutput);
        var stderr = PumpAsync(run, process.StandardError);
        _ = Task.Run(async () =>
        {
            await process.WaitForExitAsync();
            await Task.WhenAll(stdout, stderr);
            Ended(run, job, process.ExitCode);
        });
    }

    private void Unpullable(PodRun run)
    {
        var container = run.Pod.Spec.Containers[0];
        var message = $"Failed to pull image \"{container.Image}\": not found";
        lock (_gate)
        {
            run.Pod.Status.ContainerStatuses = [new V1ContainerStatus
            {
                Name = container.Name, Image = container.Image, ImageID = "", Ready = false, RestartCount = 0,
                State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ErrImagePull", Message = message } },
            }];
            Warn(run, "Failed", message);
            Changed(run.Pod, "MODIFIED");
        }
        run.Exited.TrySetResult(); // nothing runs: a delete removes it at once
    }

    /// <summary>
    /// Kills the container of <paramref name="job"/>'s pod (of an Indexed Job: the pod of <paramref name="index"/>) from outside, as the kubelet does when it runs out of memory
    /// (<c>OOMKilled</c>) or evicts it: SIGKILL, exit 137, the given reason on the terminated state.
    /// </summary>
    public async Task KillAsync(string ns, string job, string reason, int? index = null)
    {
        PodRun run;
        lock (_gate)
        {
            run = _pods.Values.Single(p => p.Pod.Metadata.NamespaceProperty == ns && p.Pod.Metadata.Labels["job-name"] == job
                && (index is null || (p.Pod.Metadata.Labels.TryGetValue("batch.kubernetes.io/job-completion-index", out var i) && i == $"{index}")));
        }
        (run.Signal, run.Reason) = (9, reason);
        run.Process!.Kill(entireProcessTree: true);
        await run.Exited.Task;
    }

    private static async Task PumpAsync(PodRun run, StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            run.Append(line);
        }
    }

    private void Ended(PodRun run, V1Job job, int exitCode)
    {
        lock (_gate)
        {
            var killed = run.Signal is not null;
            var code = killed && exitCode < 0 ? 128 + run.Signal!.Value : exitCode;
            run.Pod.Status.Phase = code == 0 ? "Succeeded" : "Failed";
            run.Pod.Status.ContainerStatuses[0].Ready = false;
            run.Pod.Status.ContainerStatuses[0].State = new V1ContainerState
            {
                Terminated = new V1ContainerStateTerminated
                {
                    ExitCode = code, Reason = run.Reason ?? (code == 0 ? "Completed" : "Error"), FinishedAt = DateTime.UtcNow, StartedAt = run.Pod.Status.StartTime,
                },
            };
            Changed(run.Pod, "MODIFIED");
            // The Job ends with its last pod: complete when every pod succeeded, failed otherwise.
            var pods = _pods.Values.Where(p => p.Pod.Metadata.NamespaceProperty == job.Metadata.NamespaceProperty && p.Pod.Metadata.Labels["job-name"] == job.Metadata.Name)
                .Select(p => p.Pod.Status.Phase).ToList();
            var (succeeded, failed) = (pods.Count(p => p == "Succeeded"), pods.Count(p => p == "Failed"));
            job.Status.Active = pods.Count - succeeded - failed is > 0 and var active ? active : null;
            job.Status.Succeeded = succeeded > 0 ? succeeded : null;
            job.Status.Failed = failed > 0 ? failed : null;
            if (job.Status.Active is null)
            {
                job.Status.CompletionTime = failed == 0 ? DateTime.UtcNow : null;
                job.Status.Conditions =
                [
                    new V1JobCondition
                    {
                        Type = failed == 0 ? "Complete" : "Failed", Status = "True", LastTransitionTime = DateTime.UtcNow,
                        Reason = failed == 0 ? null : "BackoffLimitExceeded", Message = failed == 0 ? null : "Job has reached the specified backoff limit",
                    },
                ];
            }
            job.Metadata.ResourceVersion = Next();
        }
        run.Exited.TrySetResult();
    }

    private async Task<IResult> DeleteJobAsync(string ns, string name, HttpRequest request, string? propagationPolicy, int? gracePeriodSeconds)
    {
        V1DeleteOptions? body = null;
        if (request.ContentLength is > 0)
        {
            body = KubernetesJson.Deserialize<V1DeleteOptions>(await new StreamReader(request.Body).ReadToEndAsync());
        }
        var policy = propagationPolicy ?? body?.PropagationPolicy ?? "Background";
        var grace = gracePeriodSeconds ?? (int?)body?.GracePeriodSeconds ?? 30;
        lock (_gate)
        {
            _deletes.Add((name, policy, grace));
        }
        V1Job? job;
        List<(string Key, PodRun Run)> pods;
        lock (_gate)
        {
            if (!_jobs.TryGetValue($"{ns}/{name}", out job))
            {
                return Status(404, "NotFound", $"jobs.batch \"{name}\" not found");
            }
            job.Metadata.DeletionTimestamp ??= DateTime.UtcNow;
            job.Metadata.Finalizers = policy == "Foreground" ? ["foregroundDeletion"] : null;
            pods = [.. _pods.Where(p => p.Value.Pod.Metadata.Labels["job-name"] == name && p.Value.Pod.Metadata.NamespaceProperty == ns).Select(p => (p.Key, p.Value))];
        }
        var removing = Task.Run(async () =>
        {
            await Task.WhenAll(pods.Select(pod => StopAsync(pod.Run, grace)));
            lock (_gate)
            {
                foreach (var (key, pod) in pods)
                {
                    _pods.Remove(key);
                    Changed(pod.Pod, "DELETED");
                }
                _jobs.Remove($"{ns}/{name}");
            }
        });
        if (policy == "Orphan")
        {
            await removing;
        }
        return Json(job, 200);
    }

    /// <summary>SIGTERM, then SIGKILL after the grace period, as the kubelet stops a container.</summary>
    private static async Task StopAsync(PodRun run, int graceSeconds)
    {
        if (run.Process is not { HasExited: false } process)
        {
            return;
        }
        run.Signal = graceSeconds > 0 ? 15 : 9;
        if (graceSeconds > 0)
        {
            Kill(process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(graceSeconds));
            try
            {
                await run.Exited.Task.WaitAsync(grace.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                run.Signal = 9;
            }
        }
        process.Kill(entireProcessTree: true);
        await run.Exited.Task;
    }

    private async Task LogAsync(HttpContext context, string ns, string name, bool? follow, bool? timestamps, string? sinceTime)
    {
        PodRun? run;
        lock (_gate)
        {
            _pods.TryGetValue($"{ns}/{name}", out run);
        }
        if (run is null)
        {
            await Status(404, "NotFound", $"pods \"{name}\" not found").ExecuteAsync(context);
            return;
        }
        DateTime? since = sinceTime is null ? null : DateTime.Parse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        context.Response.ContentType = "text/plain";
        var next = 0;
        while (!context.RequestAborted.IsCancellationRequested)
        {
            var (lines, ended) = run.After(next);
            next += lines.Count;
            var text = new StringBuilder();
            foreach (var (at, line) in lines)
            {
                if (since is { } from && at < from)
                {
                    continue;
                }
                text.Append(timestamps == true ? $"{at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture)}00Z " : "").Append(line).Append('\n');
            }
            if (text.Length > 0)
            {
                await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            if (follow != true || ended)
            {
                return;
            }
            await run.WaitForMoreAsync(next, context.RequestAborted);
        }
    }

    /// <summary>Events in a namespace, narrowed by <c>fieldSelector=involvedObject.name=POD</c>.</summary>
    private IResult Events(string ns, string? fieldSelector)
    {
        var pod = fieldSelector?.Split(',').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "involvedObject.name")?[1];
        lock (_gate)
        {
            var events = _pods.Values.Where(p => p.Pod.Metadata.NamespaceProperty == ns && (pod is null || p.Pod.Metadata.Name == pod)).SelectMany(p => p.Events).ToList();
            return Json(new Corev1EventList { ApiVersion = "v1", Kind = "EventList", Metadata = new V1ListMeta { ResourceVersion = $"{_version}" }, Items = events }, 200);
        }
    }

    private static Func<V1ObjectMeta, bool> Selects(string ns, string? labelSelector)
    {
        var selector = (labelSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToList();
        return meta => meta.NamespaceProperty == ns && selector.All(p => meta.Labels?.TryGetValue(p[0], out var v) == true && v == p[1]);
    }

    /// <summary>
    /// Pods listed, or with <c>watch=true</c> watched: from <c>resourceVersion</c> (unset or 0: every matching pod as
    /// ADDED first), each change a JSON line, until the client goes, <c>timeoutSeconds</c> pass or
    /// <see cref="ExpireWatches"/>. A version older than the history kept is answered with an ERROR event holding a
    /// 410 Status, as a real API server does once etcd has compacted it.
    /// </summary>
    private async Task ListOrWatchPodsAsync(HttpContext context, string ns, string? labelSelector, bool? watch, string? resourceVersion, int? timeoutSeconds)
    {
        if (watch != true)
        {
            await List(ns, labelSelector, jobs: false).ExecuteAsync(context);
            return;
        }
        var matches = Selects(ns, labelSelector);
        var from = long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;
        context.Response.ContentType = "application/json";
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        ended.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds ?? 1800));
        List<string> first;
        lock (_gate)
        {
            PodWatches = (PodWatches.Opened + 1, PodWatches.Gone + (from > 0 && from < _historyStart ? 1 : 0));
            if (from > 0 && from < _historyStart)
            {
                first = [System.Text.Json.JsonSerializer.Serialize(new
                {
                    type = "ERROR",
                    @object = new { apiVersion = "v1", kind = "Status", status = "Failure", code = 410, reason = "Expired", message = $"too old resource version: {from} ({_historyStart})", metadata = new { } },
                })];
                from = -1;
            }
            else if (from == 0)
            {
                first = [.. _pods.Values.Select(p => p.Pod).Where(p => matches(p.Metadata)).Select(p => KubernetesJson.Serialize(new { type = "ADDED", @object = p }))];
                from = _version;
            }
            else
            {
                first = [];
            }
        }
        await WriteLinesAsync(context, first, ended.Token);
        CancellationToken expiredToken;
        lock (_gate)
        {
            expiredToken = _watches.Token;
        }
        using var onExpiry = expiredToken.Register(ended.Cancel);
        while (from >= 0 && !ended.IsCancellationRequested)
        {
            Task changed;
            List<string> lines;
            lock (_gate)
            {
                lines = [.. _podHistory.Where(e => e.Version > from && matches(e.Pod.Metadata)).Select(e => e.Json)];
                from = _version;
                changed = _podChanged.Task;
            }
            if (!await WriteLinesAsync(context, lines, ended.Token))
            {
                return;
            }
            try
            {
                await changed.WaitAsync(ended.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<bool> WriteLinesAsync(HttpContext context, List<string> lines, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var line in lines)
            {
                await context.Response.WriteAsync(line + "\n", cancellationToken);
            }
            await context.Response.Body.FlushAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private IResult Node(string name) => Nodes.TryGetValue(name, out var labels)
        ? Json(new V1Node { ApiVersion = "v1", Kind = "Node", Metadata = new V1ObjectMeta { Name = name, Labels = labels, Uid = name, ResourceVersion = "1" } }, 200)
        : Status(404, "NotFound", $"nodes \"{name}\" not found");

    private IResult List(string ns, string? labelSelector, bool jobs)
    {
        var matches = Selects(ns, labelSelector);
        lock (_gate)
        {
            return jobs
                ? Json(new V1JobList { ApiVersion = "batch/v1", Kind = "JobList", Metadata = new V1ListMeta { ResourceVersion = $"{_version}" }, Items = [.. _jobs.Values.Where(j => matches(j.Metadata))] }, 200)
                : Json(new V1PodList { ApiVersion = "v1", Kind = "PodList", Metadata = new V1ListMeta { ResourceVersion = $"{_version}" }, Items = [.. _pods.Values.Select(p => p.Pod).Where(p => matches(p.Metadata))] }, 200);
        }
    }

    private IResult Get(string ns, string name, bool jobs)
    {
        lock (_gate)
        {
            object? found = jobs ? _jobs.GetValueOrDefault($"{ns}/{name}") : _pods.GetValueOrDefault($"{ns}/{name}")?.Pod;
            return found is null ? Status(404, "NotFound", $"{(jobs ? "jobs.batch" : "pods")} \"{name}\" not found") : Json(found, 200);
        }
    }

    private static IResult Raw(string json) => Results.Content(json, "application/json", Encoding.UTF8, 200);

    private string Next() => $"{Interlocked.Increment(ref _version)}";

    private static IResult Json(object value, int status) => Results.Content(KubernetesJson.Serialize(value), "application/json", Encoding.UTF8, status);

    /// <summary>A <c>Status</c> answer (written by hand: KubernetesClient reads V1Status but cannot write it).</summary>
    private static IResult Status(int code, string reason, string message) =>
        Results.Content(System.Text.Json.JsonSerializer.Serialize(new { apiVersion = "v1", kind = "Status", status = "Failure", code, reason, message, metadata = new { } }),
            "application/json", Encoding.UTF8, code);

    public async ValueTask DisposeAsync()
    {
        List<PodRun> runs;
        lock (_gate)
        {
            runs = [.. _pods.Values];
        }
        foreach (var run in runs.Where(r => r.Process is { HasExited: false }))
        {
            run.Process!.Kill(entireProcessTree: true);
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Sends a signal with kill(1).</summary>
    private static void Kill(int pid, int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", $"{pid}"]);
        kill.WaitForExit();
    }

    /// <summary>A pod and its container's process and output.</summary>
    private sealed class PodRun(V1Pod pod)
    {
        private readonly List<(DateTime At, string Line)> _lines = [];
        private TaskCompletionSource _more = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public V1Pod Pod { get; } = pod;

        public Process? Process { get; set; }

        public int? Signal { get; set; }

        /// <summary>Why the kubelet ended the container, when it did (OOMKilled, Evicted).</summary>
        public string? Reason { get; set; }

        public List<Corev1Event> Events { get; } = [];

        public TaskCompletionSource Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Append(string line)
        {
            TaskCompletionSource more;
            lock (_lines)
            {
                _lines.Add((DateTime.UtcNow, line));
                more = _more;
                _more = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            more.TrySetResult();
        }

        /// <summary>The lines from index <paramref name="from"/>, and whether the container has ended with all its output in.</summary>
        public (List<(DateTime At, string Line)> Lines, bool Ended) After(int from)
        {
            var ended = Exited.Task.IsCompleted;
            lock (_lines)
            {
                return ([.. _lines.Skip(from)], ended);
            }
        }

        public async Task WaitForMoreAsync(int seen, CancellationToken cancellationToken)
        {
            Task more;
            lock (_lines)
            {
                if (_lines.Count > seen)
                {
                    return;
                }
                more = _more.Task;
            }
            await Task.WhenAny(more, Exited.Task, Task.Delay(1000, cancellationToken));
        }
    }
}
