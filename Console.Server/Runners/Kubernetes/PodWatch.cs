using k8s;
using k8s.Autorest;
using k8s.Models;

namespace OpsConsole.Server.Runners.Kubernetes;

/// <summary>
/// The pods of one Job, kept current by a watch: a list gives the pods and a resourceVersion, a watch from there
/// gives every change after it. A watch the server ends (its timeout, a dropped connection) is opened again from the
/// last version seen, so no change is missed; a version the server no longer has (<c>410 Gone</c>, after etcd
/// compaction) means changes may have been missed, so the pods are listed again.
/// </summary>
internal sealed class PodWatch : IAsyncDisposable
{
    private readonly k8s.Kubernetes _client;
    private readonly string _namespace;
    private readonly string _selector;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _listed;

    public PodWatch(k8s.Kubernetes client, string ns, string selector, ILogger logger)
    {
        (_client, _namespace, _selector, _logger) = (client, ns, selector, logger);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>How many times the pods were listed again after <c>410 Gone</c>.</summary>
    public int Relists { get; private set; }

    /// <summary>The pods as last seen, oldest first; empty before the first list.</summary>
    public IReadOnlyList<V1Pod> Pods
    {
        get
        {
            lock (_gate)
            {
                return [.. _pods.Values.OrderBy(p => p.Metadata.CreationTimestamp)];
            }
        }
    }

    /// <summary>True once the pods have been listed (an empty <see cref="Pods"/> then means there are none).</summary>
    public bool Listed
    {
        get
        {
            lock (_gate)
            {
                return _listed;
            }
        }
    }

    /// <summary>Waits until the pods change, at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            changed = _changed.Task;
        }
        try
        {
            await changed.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Time to look again anyway.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        string? version = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                version ??= await ListAsync(cancellationToken);
                Exception? error = null;
                var events = _client.CoreV1.WatchListNamespacedPodAsync(_namespace, labelSelector: _selector, resourceVersion: version, timeoutSeconds: 300,
                    onError: e => error = e, cancellationToken: cancellationToken);
                await foreach (var (type, pod) in events)
                {
                    version = pod.Metadata.ResourceVersion ?? version;
                    Apply(type, pod);
                }
                if (error is KubernetesException { Status.Code: 410 })
                {
                    _logger.LogInformation("The pod watch of {Selector} in {Namespace} is too old (410 Gone): listing again", _selector, _namespace);
                    Relists++;
                    version = null;
                }
                else if (error is not null)
                {
                    throw error;
                }
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                _logger.LogWarning("The pod watch of {Selector} in {Namespace} failed ({Error}): again in 1 s", _selector, _namespace, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: _selector, cancellationToken: cancellationToken);
        lock (_gate)
        {
            _pods.Clear();
            foreach (var pod in list.Items)
            {
                _pods[pod.Metadata.Name] = pod;
            }
            _listed = true;
        }
        Signal();
        return list.Metadata.ResourceVersion;
    }

    private void Apply(WatchEventType type, V1Pod pod)
    {
        lock (_gate)
        {
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    _pods[pod.Metadata.Name] = pod;
                    break;
                case WatchEventType.Deleted:
                    _pods.Remove(pod.Metadata.Name);
                    break;
                default:
                    return;
            }
        }
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            (changed, _changed) = (_changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
