using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runners.Kubernetes;

/// <summary>
/// Runs jobs as Kubernetes Jobs (<c>Runner:Kind=kubernetes</c>), through KubernetesClient. The handle is
/// <c>{namespace}/{job name}</c>; the output position is the last log timestamp read and how many lines carried it, so
/// a dropped log stream or a restarted console resumes with <c>sinceTime</c> and drops what it had already read: no line
/// lost, none repeated. A cancel deletes the Job with <c>propagationPolicy=Foreground</c> and the grace period, so
/// Kubernetes stops the pod (SIGTERM, then SIGKILL) and removes it before the Job.
/// </summary>
internal sealed class KubernetesJobRunner(IOptions<KubernetesOptions> options, ILogger<KubernetesJobRunner> logger) : IJobRunner, IDisposable
{
    private readonly Lazy<k8s.Kubernetes> _client = new(() => new k8s.Kubernetes(Configuration(options.Value)));

    // Runs whose pod never started within Kubernetes:PendingTimeoutSeconds, by handle: why (the Job is deleted after).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _neverStarted = new(StringComparer.Ordinal);

    // Nodes' capacity types (on-demand, spot; null: unknown), read once per node.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _capacities = new(StringComparer.Ordinal);

    public string Kind => KubernetesJobManifest.Kind;

    private k8s.Kubernetes Client => _client.Value;

    private static KubernetesClientConfiguration Configuration(KubernetesOptions settings) =>
        settings.Kubeconfig.Length > 0 ? KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.Kubeconfig) : KubernetesClientConfiguration.InClusterConfig();

    public async Task<JobHandle> StartAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var run = spec.Run ?? throw new ArgumentException("A Kubernetes run needs the run's record (JobSpec.Run).", nameof(spec));
        var settings = options.Value;
        var capacity = run.Capacity ?? settings.Capacity;
        var job = KubernetesJobManifest.Build(spec, run, settings, capacity);
        await Client.BatchV1.CreateNamespacedJobAsync(job, settings.Namespace, cancellationToken: cancellationToken);
        logger.LogInformation("Run {RunId}: Kubernetes Job {Namespace}/{Job} created", run.Id, settings.Namespace, job.Metadata.Name);
        var handle = new JobHandle(Kind, $"{settings.Namespace}/{job.Metadata.Name}");
        if (spec.ExecutorArguments is not null)
        {
            try
            {
                var executors = KubernetesJobManifest.BuildExecutors(spec, run, settings, capacity);
                await Client.BatchV1.CreateNamespacedJobAsync(executors, settings.Namespace, cancellationToken: cancellationToken);
                logger.LogInformation("Run {RunId}: Kubernetes Job {Namespace}/{Job} created ({Count} executors)", run.Id, settings.Namespace, executors.Metadata.Name, run.Executors);
            }
            catch
            {
                // No driver without its executors: nothing of the run is left behind.
                await StopAsync(handle, TimeSpan.Zero, CancellationToken.None);
                throw;
            }
        }
        return handle;
    }

    public async Task<JobStatus> StatusAsync(JobHandle handle, CancellationToken cancellationToken)
    {
        var (ns, name) = Parse(handle);
        if (_neverStarted.TryGetValue(handle.Id, out var why))
        {
            return new JobStatus(false, null, why);
        }
        V1Job job;
        try
        {
            job = await Client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException exception) when (exception.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new JobStatus(false, null, $"The Kubernetes Job {ns}/{name} is gone (deleted, or removed after it ended).");
        }
        var pod = await PodAsync(ns, name, cancellationToken);
        if (pod?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated is { } terminated)
        {
            return new JobStatus(false, terminated.ExitCode, terminated.Reason is null or "Completed" or "Error" ? null : $"{terminated.Reason}: {terminated.Message}".TrimEnd(' ', ':'));
        }
        if (job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
        {
            return new JobStatus(false, null, $"{failed.Reason}: {failed.Message}".TrimEnd(' ', ':'));
        }
        return pod?.Status?.Phase is "Succeeded" or "Failed" ? new JobStatus(false, null, $"The pod ended {pod.Status.Phase} without an exit code.") : JobStatus.Alive;
    }

    /// <summary>Deletes the run's driver Job and its executors' Job, if any, each in the foreground with the grace period.</summary>
    public async Task StopAsync(JobHandle handle, TimeSpan grace, CancellationToken cancellationToken)
    {
        var (ns, name) = Parse(handle);
        await Task.WhenAll(DeleteJobAsync(ns, name, grace, cancellationToken), DeleteJobAsync(ns, KubernetesJobManifest.ExecutorsJobName(name), grace, cancellationToken));
    }

    private async Task DeleteJobAsync(string ns, string name, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            await Client.BatchV1.DeleteNamespacedJobAsync(name, ns, new V1DeleteOptions { PropagationPolicy = "Foreground", GracePeriodSeconds = (long)grace.TotalSeconds },
                cancellationToken: cancellationToken);
            logger.LogInformation("Kubernetes Job {Namespace}/{Job} deleted (grace {Grace} s)", ns, name, (int)grace.TotalSeconds);
        }
        catch (HttpOperationException exception) when (exception.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone (or never there: a run without executors).
        }
    }

    /// <summary>The driver Jobs the console started that still exist, by the run id of their label.</summary>
    public async Task<IReadOnlyDictionary<string, JobHandle>> ListAsync(CancellationToken cancellationToken)
    {
        var ns = options.Value.Namespace;
        var jobs = await Client.BatchV1.ListNamespacedJobAsync(ns,
            labelSelector: $"app.kubernetes.io/managed-by={KubernetesJobManifest.ManagedBy},{KubernetesJobManifest.RoleLabel}=driver", cancellationToken: cancellationToken);
        return jobs.Items.Where(j => j.Metadata.Labels?.ContainsKey(KubernetesJobManifest.RunIdLabel) == true)
            .GroupBy(j => j.Metadata.Labels[KubernetesJobManifest.RunIdLabel], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new JobHandle(Kind, $"{ns}/{g.MaxBy(Attempt)!.Metadata.Name}"), StringComparer.Ordinal);
    }

    /// <summary>The run attempt a Job belongs to (its label; 1 for Jobs without one).</summary>
    private static int Attempt(V1Job job) =>
        job.Metadata.Labels?.TryGetValue(KubernetesJobManifest.AttemptLabel, out var value) == true
        && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt) ? attempt : 1;

    /// <summary>
    /// The run has ended: executors still running (their driver failed) are stopped; the ended Jobs and their pods go
    /// after <c>ttlSecondsAfterFinished</c>.
    /// </summary>
    public async Task ReleaseAsync(JobHandle handle, CancellationToken cancellationToken)
    {
        var (ns, name) = Parse(handle);
        var executors = await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={KubernetesJobManifest.ExecutorsJobName(name)}", cancellationToken: cancellationToken);
        if (executors.Items.Any(p => !Ended(p)))
        {
            await DeleteJobAsync(ns, KubernetesJobManifest.ExecutorsJobName(name), TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    /// <summary>
    /// Follows the run's pods (the driver's and its executors', watched by the driver Job's label): each pod's log as
    /// it comes, merged into the run's log, with the pods as they change. The position holds a cursor per pod (the
    /// driver's first, then <c>;executor-N=...</c>), each advanced only with lines handed out, so a resumed follow
    /// repeats and loses nothing of any pod. Ends when the driver has ended and its log is read.
    /// </summary>
    public async IAsyncEnumerable<JobOutput> FollowAsync(JobHandle handle, string position, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (ns, name) = Parse(handle);
        var cursors = RunCursors.Parse(position);
        await using var watch = new PodWatch(Client, ns, $"{KubernetesJobManifest.DriverJobLabel}={name}", logger);
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(64) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producing = ProduceAsync(handle, cursors, watch, batches.Writer, stop.Token);
        await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
        {
            cursors.HandedOut(batch.Key, batch.Position);
            yield return new JobOutput(batch.Lines, cursors.ToString()) { Pods = batch.Pods };
        }
        await stop.CancelAsync();
        await producing;
    }

    /// <summary>The driver's follow, and beside it the executors' logs and the pods' changes, into one channel.</summary>
    private async Task ProduceAsync(JobHandle handle, RunCursors cursors, PodWatch watch, ChannelWriter<Batch> writer, CancellationToken cancellationToken)
    {
        var (ns, _) = Parse(handle);
        using var placement = new Placement();
        Exception? failure = null;
        try
        {
            using var others = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var placing = PlaceAsync(watch, placement, writer, others.Token);
            var executors = FollowExecutorsAsync(ns, cursors, watch, writer, others.Token);
            try
            {
                await FollowDriverAsync(handle, cursors.Driver, placement, watch, writer, cancellationToken);
                // The driver's log ends a moment before its pod's phase does, and the executors end when the queue is
                // finished, about when the driver commits: every pod's end (and the executors' last lines) is waited
                // for, at most 30 s (then releasing the run stops any still running), so the run's pods show how they ended.
                for (var wait = 0; wait < 60 && watch.Pods.Any(p => !Ended(p)); wait++)
                {
                    await watch.WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
                }
            }
            finally
            {
                await others.CancelAsync();
                await Task.WhenAll(placing, executors).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            // Always handed out, even when unchanged: the batch that last reported them may not have been written
            // (the placing loop is stopped while it waits for room in a full channel).
            await writer.WriteAsync(new Batch(null, [], null, await placement.LastAsync(watch.Pods, DescribeAsync, cancellationToken)), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = exception;
        }
        catch (OperationCanceledException)
        {
            // The follow was stopped.
        }
        finally
        {
            writer.TryComplete(failure);
        }
    }

    /// <summary>The driver pod: its pending reasons and timeout, then its log to the end.</summary>
    private async Task FollowDriverAsync(JobHandle handle, LogCursor cursor, Placement placement, PodWatch watch, ChannelWriter<Batch> writer, CancellationToken cancellationToken)
    {
        var (ns, _) = Parse(handle);
        var told = new HashSet<string>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            var pod = Driver(watch.Pods);
            if (pod is null || pod.Status?.Phase == "Pending")
            {
                if (pod is null && watch.Listed && !(await StatusAsync(handle, cancellationToken)).Running)
                {
                    return;
                }
                if (pod is not null)
                {
                    var (lines, timedOut) = await PendingAsync(handle, pod, told, cancellationToken);
                    if (lines.Count > 0)
                    {
                        await writer.WriteAsync(new Batch("", lines, cursor.ToString(), null), cancellationToken);
                    }
                    if (timedOut)
                    {
                        await writer.WriteAsync(new Batch(null, [], null, await placement.DeletedAsync()), cancellationToken);
                        return;
                    }
                }
                // Events are not watched: a Pending pod's are listed again at least every 2 s.
                await watch.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                continue;
            }
            await FollowLogAsync(ns, pod.Metadata.Name, "", cursor, watch, writer, cancellationToken);
            return;
        }
    }

    /// <summary>Each executor pod's log, from its own cursor, as soon as the pod runs.</summary>
    private async Task FollowExecutorsAsync(string ns, RunCursors cursors, PodWatch watch, ChannelWriter<Batch> writer, CancellationToken cancellationToken)
    {
        var following = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var pod in watch.Pods.Where(p => ExecutorIndex(p) is not null && p.Status?.Phase is "Running" or "Succeeded" or "Failed" && !following.ContainsKey(p.Metadata.Name)))
                {
                    var key = $"executor-{ExecutorIndex(pod)}";
                    following[pod.Metadata.Name] = FollowLogAsync(ns, pod.Metadata.Name, key, cursors.Executor(key), watch, writer, cancellationToken);
                }
                await watch.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The driver has ended.
        }
        await Task.WhenAll(following.Values).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>The pods, handed out whenever they change.</summary>
    private async Task PlaceAsync(PodWatch watch, Placement placement, ChannelWriter<Batch> writer, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await placement.ChangedAsync(watch.Pods, DescribeAsync, cancellationToken) is { } pods)
                {
                    await writer.WriteAsync(new Batch(null, [], null, pods), cancellationToken);
                }
                await watch.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The driver has ended.
        }
    }

    /// <summary>
    /// One pod's log from the cursor on, until the pod has ended and its log is read. A stream that ends while the
    /// pod still runs (a dropped connection) is opened again from the cursor.
    /// </summary>
    private async Task FollowLogAsync(string ns, string pod, string key, LogCursor cursor, PodWatch watch, ChannelWriter<Batch> writer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await using (var stream = await OpenLogAsync(ns, pod, cursor, cancellationToken))
            {
                cursor.NewStream();
                var splitter = new LineSplitter();
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await ReadAsync(stream, buffer, cancellationToken)) > 0)
                {
                    var lines = cursor.Take(splitter.Add(buffer.AsSpan(0, read)));
                    if (lines.Count > 0)
                    {
                        await writer.WriteAsync(new Batch(key, lines, cursor.ToString(), null), cancellationToken);
                    }
                }
            }
            // The watch tells whether the pod ended or the connection dropped (it may see the end a moment after the log's).
            for (var wait = 0; wait < 10 && !Ended(Named(watch.Pods, pod)); wait++)
            {
                await watch.WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
            if (Ended(Named(watch.Pods, pod)))
            {
                return;
            }
            logger.LogInformation("The log stream of {Namespace}/{Pod} ended while the pod runs: resuming from {Position}", ns, pod, cursor);
        }
    }

    private static V1Pod? Named(IReadOnlyList<V1Pod> pods, string name) => pods.FirstOrDefault(p => p.Metadata.Name == name);

    /// <summary>The newest driver pod (a pod without a role label is a driver's, from before executors existed).</summary>
    private static V1Pod? Driver(IReadOnlyList<V1Pod> pods) =>
        pods.LastOrDefault(p => p.Metadata.Labels?.TryGetValue(KubernetesJobManifest.RoleLabel, out var role) != true || role == "driver");

    /// <summary>An executor pod's index (its Indexed Job's completion index); null for any other pod.</summary>
    private static string? ExecutorIndex(V1Pod pod) =>
        pod.Metadata.Labels is { } labels && labels.TryGetValue(KubernetesJobManifest.RoleLabel, out var role) && role == "executor"
            && labels.TryGetValue(KubernetesJobManifest.CompletionIndexLabel, out var index) ? index : null;

    /// <summary>Lines of one pod (key: "" for the driver, <c>executor-N</c>) with its cursor after them, or the pods as they changed.</summary>
    private sealed record Batch(string? Key, List<string> Lines, string? Position, IReadOnlyList<RunPod>? Pods);

    /// <summary>
    /// The cursors of a run's pods: each pod's live cursor (its follower moves it) and the last position handed out
    /// with a batch, which is what the position string says.
    /// </summary>
    private sealed class RunCursors
    {
        private readonly Dictionary<string, string> _handedOut = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LogCursor> _executors = new(StringComparer.Ordinal);

        public LogCursor Driver { get; private init; } = new();

        public static RunCursors Parse(string position)
        {
            var parts = position.Split(';');
            var cursors = new RunCursors { Driver = LogCursor.Parse(parts[0]) };
            cursors._handedOut[""] = parts[0];
            foreach (var part in parts.Skip(1))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    cursors._handedOut[part[..equals]] = part[(equals + 1)..];
                }
            }
            return cursors;
        }

        public LogCursor Executor(string key) => _executors.GetOrAdd(key, k => LogCursor.Parse(_handedOut.GetValueOrDefault(k, JobOutput.Start)));

        public void HandedOut(string? key, string? position)
        {
            if (key is not null && position is not null)
            {
                _handedOut[key] = position;
            }
        }

        public override string ToString() =>
            string.Join(';', _handedOut.Where(p => p.Key.Length > 0 && p.Value.Length > 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")
                .Prepend(_handedOut.GetValueOrDefault("", JobOutput.Start)));
    }

    private static bool Ended(V1Pod? pod) => pod?.Status?.Phase is null or "Succeeded" or "Failed";

    /// <summary>A pod as the run shows it: its role, phase, node and the node's capacity type, its requests, what is wrong.</summary>
    private async Task<RunPod> DescribeAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var requests = pod.Spec.Containers.Select(c => c.Resources?.Requests).OfType<IDictionary<string, ResourceQuantity>>().ToList();
        var container = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State;
        return new RunPod
        {
            Name = pod.Metadata.Name,
            Role = ExecutorIndex(pod) is { } index ? $"executor-{index}" : "driver",
            Phase = pod.Status?.Phase ?? "Pending",
            Node = pod.Spec.NodeName,
            Capacity = pod.Spec.NodeName is { } node ? await CapacityAsync(node, cancellationToken) : null,
            Cpu = requests.Sum(r => r.TryGetValue("cpu", out var cpu) ? (double)cpu.ToDecimal() : 0),
            MemoryGiB = requests.Sum(r => r.TryGetValue("memory", out var memory) ? (double)memory.ToDecimal() / (1024.0 * 1024 * 1024) : 0),
            Reason = container?.Waiting?.Reason
                     ?? (container?.Terminated is { Reason: not (null or "Completed") } terminated ? terminated.Reason : null)
                     ?? pod.Status?.Conditions?.FirstOrDefault(c => c is { Type: "PodScheduled", Status: "False" })?.Reason
                     ?? pod.Status?.Reason,
        };
    }

    /// <summary>
    /// The capacity type of a node (<c>on-demand</c> or <c>spot</c>) from its EKS managed node group or Karpenter label,
    /// read once per node; null when the node has neither or cannot be read (the console lacks <c>get nodes</c>).
    /// </summary>
    private async Task<string?> CapacityAsync(string node, CancellationToken cancellationToken)
    {
        if (_capacities.TryGetValue(node, out var known))
        {
            return known;
        }
        string? capacity = null;
        try
        {
            var labels = (await Client.CoreV1.ReadNodeAsync(node, cancellationToken: cancellationToken)).Metadata.Labels ?? new Dictionary<string, string>();
            var type = labels.TryGetValue("eks.amazonaws.com/capacityType", out var eks) ? eks : labels.TryGetValue("karpenter.sh/capacity-type", out var karpenter) ? karpenter : null;
            capacity = type?.ToUpperInvariant() switch
            {
                "SPOT" => "spot",
                "ON_DEMAND" or "ON-DEMAND" => "on-demand",
                _ => null,
            };
        }
        catch (HttpOperationException exception) when (exception.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            logger.LogWarning("Node {Node} cannot be read ({Status}): its capacity type is unknown and runs on it are priced at their requested capacity", node, (int)exception.Response.StatusCode);
        }
        _capacities[node] = capacity;
        return capacity;
    }

    /// <summary>
    /// The pods reported last: a change (phase, node, reason) is reported again; a pod that vanished while it ran is
    /// Deleted. Once the runner deleted the run (<see cref="DeletedAsync"/>) nothing changes any more.
    /// </summary>
    private sealed class Placement : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly Dictionary<string, RunPod> _seen = new(StringComparer.Ordinal);
        private List<RunPod>? _reported;
        private bool _final;

        public async Task<IReadOnlyList<RunPod>?> ChangedAsync(IReadOnlyList<V1Pod> pods, Func<V1Pod, CancellationToken, Task<RunPod>> describe, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_final)
                {
                    return null;
                }
                var now = await SeeAsync(pods, describe, cancellationToken);
                if (_reported is not null && now.SequenceEqual(_reported))
                {
                    return null;
                }
                return _reported = now;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>The pods as the run ends them, whether or not they changed since last reported; nothing changes after.</summary>
        public async Task<IReadOnlyList<RunPod>> LastAsync(IReadOnlyList<V1Pod> pods, Func<V1Pod, CancellationToken, Task<RunPod>> describe, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (!_final)
                {
                    _reported = await SeeAsync(pods, describe, cancellationToken);
                    _final = true;
                }
                return _reported ?? [];
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>Every pod not ended is Deleted (the runner deleted the run's Jobs), and stays so.</summary>
        public async Task<IReadOnlyList<RunPod>> DeletedAsync()
        {
            await _gate.WaitAsync();
            try
            {
                foreach (var (name, pod) in _seen.Where(p => p.Value.Phase is "Pending" or "Running").ToList())
                {
                    _seen[name] = pod with { Phase = "Deleted" };
                }
                _final = true;
                return _reported = Ordered();
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();

        /// <summary>Takes in the pods now listed: a pod that vanished while Pending or Running is Deleted.</summary>
        private async Task<List<RunPod>> SeeAsync(IReadOnlyList<V1Pod> pods, Func<V1Pod, CancellationToken, Task<RunPod>> describe, CancellationToken cancellationToken)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pod in pods)
            {
                _seen[pod.Metadata.Name] = await describe(pod, cancellationToken);
                present.Add(pod.Metadata.Name);
            }
            foreach (var (name, gone) in _seen.Where(p => !present.Contains(p.Key) && p.Value.Phase is "Pending" or "Running").ToList())
            {
                _seen[name] = gone with { Phase = "Deleted" };
            }
            return Ordered();
        }

        private List<RunPod> Ordered() => [.. _seen.Values.OrderBy(p => p.Role, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// A Pending pod: its new events and waiting reasons (FailedScheduling, ErrImagePull, ImagePullBackOff, ...) as
    /// <c>kubernetes</c> warn lines of the run's log; past <see cref="KubernetesOptions.PendingTimeoutSeconds"/> the Job
    /// is deleted at once and the run fails with the reason.
    /// </summary>
    private async Task<(List<string> Lines, bool TimedOut)> PendingAsync(JobHandle handle, V1Pod pod, HashSet<string> told, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var events = await Client.CoreV1.ListNamespacedEventAsync(pod.Metadata.NamespaceProperty, fieldSelector: $"involvedObject.name={pod.Metadata.Name}",
            cancellationToken: cancellationToken);
        var reasons = events.Items.Where(e => e.Type == "Warning").Select(e => $"{e.Reason}: {e.Message}")
            .Concat((pod.Status?.ContainerStatuses ?? []).Select(c => c.State?.Waiting).OfType<V1ContainerStateWaiting>().Select(w => $"{w.Reason}: {w.Message}"))
            .ToList();
        foreach (var reason in reasons.Where(told.Add))
        {
            lines.Add(Line("warn", $"Pod {pod.Metadata.Name} is Pending: {reason}"));
        }
        var waited = DateTime.UtcNow - (pod.Metadata.CreationTimestamp ?? DateTime.UtcNow);
        var limit = options.Value.PendingTimeoutSeconds;
        if (waited < TimeSpan.FromSeconds(limit))
        {
            return (lines, false);
        }
        var why = $"The pod {pod.Metadata.Name} was Pending for {limit} s (Kubernetes:PendingTimeoutSeconds)" + (reasons.Count > 0 ? $": {reasons[^1]}" : ".");
        _neverStarted[handle.Id] = why;
        lines.Add(Line("error", why));
        await StopAsync(handle, TimeSpan.Zero, cancellationToken);
        return (lines, true);
    }

    private static string Line(string level, string message) =>
        Shared.Jobs.JobLines.Format(new Shared.Jobs.JobLineHeader(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), level, "kubernetes", "log", message));

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private async Task<V1Pod?> PodAsync(string ns, string job, CancellationToken cancellationToken)
    {
        var pods = await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={job}", cancellationToken: cancellationToken);
        return pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
    }

    /// <summary>
    /// The container's log from the cursor on, followed, each line prefixed with its timestamp. KubernetesClient's
    /// ReadNamespacedPodLog has no <c>sinceTime</c>, so the request goes through the client's own HTTP pipeline
    /// (its authentication and TLS) by hand.
    /// </summary>
    private async Task<Stream> OpenLogAsync(string ns, string pod, LogCursor cursor, CancellationToken cancellationToken)
    {
        var query = $"follow=true&timestamps=true&container={KubernetesJobManifest.Container}";
        if (cursor.Since is { } since)
        {
            query += $"&sinceTime={Uri.EscapeDataString(since.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}";
        }
        var uri = new Uri(Client.BaseUri, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}/log?{query}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (Client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }
        var response = await Client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    /// <summary>A dropped connection ends the read like the end of the stream: the caller resumes from its cursor.</summary>
    private static async Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    private static (string Namespace, string Name) Parse(JobHandle handle)
    {
        var parts = handle.Id.Split('/');
        return handle.Kind == KubernetesJobManifest.Kind && parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0
            ? (parts[0], parts[1])
            : throw new ArgumentException($"'{handle.Kind}:{handle.Id}' is not a handle of the Kubernetes runner.", nameof(handle));
    }

    /// <summary>
    /// Where reading stands: the timestamp of the last line read and how many lines read carried it. A resumed stream
    /// starts at <c>sinceTime</c> (whole seconds), so lines before the cursor, and the first lines at its timestamp as
    /// many as were read, are ones already read.
    /// </summary>
    private sealed class LogCursor
    {
        private string? _last;
        private int _seen;
        private int _inStream;

        public DateTime? Since => _last is null ? null : DateTime.Parse(_last, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        public static LogCursor Parse(string position)
        {
            var cursor = new LogCursor();
            var bar = position.LastIndexOf('|');
            if (bar > 0 && int.TryParse(position[(bar + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var seen))
            {
                (cursor._last, cursor._seen) = (position[..bar], seen);
            }
            return cursor;
        }

        /// <summary>A new stream begins: its lines at the cursor's timestamp are counted from the start again.</summary>
        public void NewStream() => _inStream = 0;

        /// <summary>The lines not read before, without their timestamps; the cursor moves past them.</summary>
        public List<string> Take(IEnumerable<string> lines)
        {
            var taken = new List<string>();
            foreach (var line in lines)
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var stamp = space > 0 ? line[..space] : "";
                var order = _last is null ? 1 : string.CompareOrdinal(Normalize(stamp), Normalize(_last));
                if (order < 0)
                {
                    continue;
                }
                if (order == 0)
                {
                    if (++_inStream <= _seen)
                    {
                        continue;
                    }
                    _seen++;
                }
                else
                {
                    (_last, _seen, _inStream) = (stamp, 1, 1);
                }
                taken.Add(space > 0 ? line[(space + 1)..] : line);
            }
            return taken;
        }

        /// <summary>RFC 3339 timestamps with up to nine fraction digits, padded so they compare as text.</summary>
        private static string Normalize(string stamp) => stamp.Length == 0 ? "" : stamp.TrimEnd('Z').PadRight(29, '0');

        public override string ToString() => _last is null ? JobOutput.Start : $"{_last}|{_seen}";
    }

    /// <summary>Cuts bytes into complete UTF-8 lines, keeping a partial last line for the next read.</summary>
    private sealed class LineSplitter
    {
        private readonly List<byte> _partial = [];

        public List<string> Add(ReadOnlySpan<byte> bytes)
        {
            var lines = new List<string>();
            while (bytes.Length > 0)
            {
                var newline = bytes.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _partial.AddRange(bytes);
                    break;
                }
                _partial.AddRange(bytes[..newline]);
                lines.Add(Encoding.UTF8.GetString([.. _partial]).TrimEnd('\r'));
                _partial.Clear();
                bytes = bytes[(newline + 1)..];
            }
            return lines;
        }
    }
}
