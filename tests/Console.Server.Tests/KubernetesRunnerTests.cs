using k8s;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The console with <c>Runner:Kind=kubernetes</c> against the Kubernetes API test server, whose pods run the real
/// SparkJobs against the embedded Sandbox: launch, follow the pod's log, cancel (the Job deleted in the foreground, no
/// pod left), the key only in the Secret.
/// </summary>
public sealed class KubernetesRunnerTests : IAsyncLifetime
{
    private KubernetesApiServer _kube = default!;

    public async Task InitializeAsync()
    {
        _kube = await KubernetesApiServer.StartAsync();
        _kube.Images = image => image == "opsconsole/job:test"
            ? ("dotnet", [Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll")])
            : throw new InvalidOperationException($"no such image {image}");
    }

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    [Fact]
    public async Task Launch_RunsAsAJobWhosePodIngestsEveryCharge_TheKeyOnlyInTheSecret()
    {
        using var console = Console(latencyMs: 0);
        using var client = console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.FailureReason}\n{string.Join('\n', lines.Select(l => l.Text))}");
        Assert.Equal(400, run.Progress.Records);
        Assert.Contains(lines, line => line.Event == "summary" && line.Source == "driver");
        var handle = (await console.Services.GetRequiredService<IRunStore>().HandleAsync(run.Id))!;
        Assert.Equal(("kubernetes", $"opsconsole/opsconsole-{run.Id}"), (handle.Kind, handle.Id));
        var job = _kube.JobJson("opsconsole", $"opsconsole-{run.Id}")!;
        Assert.DoesNotContain(SecretOf(console), job, StringComparison.Ordinal);
        Assert.Contains("\"secretKeyRef\"", job, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, line => line.Text.Contains(SecretOf(console), StringComparison.Ordinal));
        Assert.Contains(_kube.Requests, r => r.StartsWith("GET /api/v1/namespaces/opsconsole/pods/opsconsole-run-", StringComparison.Ordinal) && r.Contains("/log?follow=true&timestamps=true", StringComparison.Ordinal));
        // The pod as the run shows it and prices it: on the on-demand node, its requests (2 cores, 4 GiB), no longer an estimate.
        var pod = Assert.Single(run.Pods!);
        Assert.Equal(("driver", "Succeeded", "ip-10-0-1-17.ec2.internal", "on-demand", 2.0, 4.0, (string?)null), (pod.Role, pod.Phase, pod.Node, pod.Capacity, pod.Cpu, pod.MemoryGiB, pod.Reason));
        Assert.StartsWith($"opsconsole-{run.Id}-", pod.Name, StringComparison.Ordinal);
        Assert.Equal("kubernetes", run.Runner);
        Assert.Equal((2.0, 4.0, false, "on-demand"), (run.Cost!.PodCpu, run.Cost.PodMemoryGiB, run.Cost.Estimate, run.Cost.Capacity));
    }

    [Fact]
    public async Task LaunchWithItsOwnCpuAndMemory_ThePodRequestsAndIsLimitedToThem_AndTheRunIsPricedAtThem()
    {
        using var console = Console(latencyMs: 0);
        using var client = console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "customers", cpu = "500m", memory = "1Gi" })).Id, seconds: 120);

        Assert.Equal((RunState.Succeeded, "500m", "1Gi"), (run.State, run.Cpu, run.Memory));
        var resources = System.Text.Json.JsonDocument.Parse(_kube.JobJson("opsconsole", $"opsconsole-{run.Id}")!).RootElement
            .GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("resources");
        Assert.Equal(("500m", "1Gi", "500m", "1Gi"), (resources.GetProperty("requests").GetProperty("cpu").GetString(), resources.GetProperty("requests").GetProperty("memory").GetString(),
            resources.GetProperty("limits").GetProperty("cpu").GetString(), resources.GetProperty("limits").GetProperty("memory").GetString()));
        Assert.Equal((0.5, 1.0), (run.Pods![0].Cpu, run.Pods[0].MemoryGiB));
        Assert.Equal((0.5, 1.0), (run.Cost!.PodCpu, run.Cost.PodMemoryGiB));
    }

    [Fact]
    public async Task ThreeExecutors_EachPodsLogIsFollowed_AndAKilledExecutorsSlicesAreTakenOver_EveryRecordOnce()
    {
        using var console = Console(latencyMs: 100);
        using var client = console.BasicClient("operator");
        var run = await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 2, executors = 3 });
        await WaitForLinesAsync(client, run.Id, lines => lines.Any(l => l.Source == "executor-1" && l.Event == "slice"));

        await _kube.KillAsync("opsconsole", $"opsconsole-{run.Id}-executors", "Error", index: 1);
        var ended = await WaitForEndAsync(client, run.Id, seconds: 150);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.True(ended.State == RunState.Succeeded, $"{ended.State}: {ended.FailureReason}\n{string.Join('\n', lines.Select(l => l.Text))}");
        Assert.Equal((400, "passed", 3), (ended.Progress.Records, ended.Quality, ended.Executors));
        Assert.Equal(["driver", "executor-0", "executor-1", "executor-2"], lines.Select(l => l.Source).Where(s => s != "kubernetes").Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(lines, l => l.Level == "warn" && l.Msg.Contains("taken over from executor-1/", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Event == "summary");
        Assert.Equal(lines.Count, lines.Select(l => l.Text).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(["driver:Succeeded", "executor-0:Succeeded", "executor-1:Failed", "executor-2:Succeeded"], ended.Pods!.Select(p => $"{p.Role}:{p.Phase}"));
        Assert.Equal((8.0, 16.0), (ended.Cost!.PodCpu, ended.Cost.PodMemoryGiB));
        await AssertNothingRunningAsync();
    }

    [Fact]
    public async Task WatchHistoryExpiresMidRun_TheRunnerListsAgainOn410_AndTheRunEndsWithEveryLineOnce()
    {
        using var console = Console(latencyMs: 100);
        using var client = console.BasicClient("operator");
        var run = await LaunchFetchingAsync(client);
        var opened = _kube.PodWatches.Opened;

        _kube.ExpireWatches();
        var ended = await WaitForEndAsync(client, run.Id, seconds: 120);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.True(ended.State == RunState.Succeeded, $"{ended.State}: {ended.FailureReason}");
        Assert.Equal(400, ended.Progress.Records);
        Assert.True(_kube.PodWatches.Opened > opened && _kube.PodWatches.Gone >= 1, $"watches {_kube.PodWatches}");
        Assert.Equal("Succeeded", Assert.Single(ended.Pods!).Phase);
        Assert.Single(lines, line => line.Event == "summary");
        Assert.Equal(lines.Count, lines.Select(line => line.Text).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task NoNodeMatchesTheSelector_ThePodStaysUnschedulable_TheRunSaysSoAndFailsAtThePendingTimeout()
    {
        using var console = Console(latencyMs: 0, new() { ["Kubernetes:OnDemandNodeSelector:node.kubernetes.io/instance-type"] = "p5.48xlarge", ["Kubernetes:PendingTimeoutSeconds"] = "10" });
        using var client = console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id, seconds: 60);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("FailedScheduling: 0/2 nodes are available", run.FailureReason, StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Source == "kubernetes" && line.Level == "warn" && line.Msg.Contains("didn't match Pod's node affinity/selector", StringComparison.Ordinal));
        var pod = Assert.Single(run.Pods!);
        Assert.Equal(("Deleted", (string?)null, "Unschedulable"), (pod.Phase, pod.Node, pod.Reason));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Cancel_DeletesTheJobInTheForeground_TheRunEndsCancelled_AndNoPodIsLeft()
    {
        using var console = Console(latencyMs: 150);
        using var client = console.BasicClient("operator");
        var run = await LaunchFetchingAsync(client);

        var response = await client.PostAsync($"/api/runs/{run.Id}/cancel", null);
        var ended = await WaitForEndAsync(client, run.Id, seconds: 60);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(ended.State == RunState.Cancelled, $"{ended.State} exit {ended.ExitCode}: {ended.FailureReason}");
        Assert.Contains(_kube.Requests, r => r == $"DELETE /apis/batch/v1/namespaces/opsconsole/jobs/opsconsole-{run.Id}");
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task SpotLaunch_GoesToSpotNodes_AndIsPricedAtSpot()
    {
        using var console = Console(latencyMs: 0);
        using var client = console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges", capacity = "spot" })).Id, seconds: 120);

        Assert.Equal((RunState.Succeeded, "spot"), (run.State, run.Capacity));
        Assert.Equal(("ip-10-0-2-42.ec2.internal", "spot"), (run.Pods![0].Node, run.Pods[0].Capacity));
        Assert.Equal(("spot", false), (run.Cost!.Capacity, run.Cost.Estimate));
        var job = System.Text.Json.JsonDocument.Parse(_kube.JobJson("opsconsole", $"opsconsole-{run.Id}")!).RootElement;
        Assert.Equal("SPOT", job.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("nodeSelector").GetProperty("eks.amazonaws.com/capacityType").GetString());
        Assert.Equal("spot", job.GetProperty("metadata").GetProperty("labels").GetProperty("opsconsole.io/capacity").GetString());
    }

    [Fact]
    public async Task ForceCancel_DeletesTheJobWithNoGrace_TheRunEndsCancelledAndForced_AndNoPodIsLeft()
    {
        using var console = Console(latencyMs: 150);
        using var admin = console.BasicClient("admin");
        var run = await LaunchFetchingAsync(admin);

        var response = await admin.PostAsync($"/api/runs/{run.Id}/cancel?force=true", null);
        var ended = await WaitForEndAsync(admin, run.Id, seconds: 60);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(ended.State == RunState.Cancelled, $"{ended.State} exit {ended.ExitCode}: {ended.FailureReason}");
        Assert.True(ended.Forced);
        Assert.Contains(_kube.Deletes, d => d == ($"opsconsole-{run.Id}", "Foreground", 0));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task PodNeverStarts_ItsEventsAreInTheLog_AndAfterThePendingTimeoutTheRunFailsSayingWhy()
    {
        _kube.UnpullableImages.Add("opsconsole/job:missing");
        using var console = Console(latencyMs: 0, new() { ["Kubernetes:Image"] = "opsconsole/job:missing", ["Kubernetes:PendingTimeoutSeconds"] = "10" });
        using var client = console.BasicClient("operator");

        var run = await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id, seconds: 60);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.Equal(RunState.Failed, run.State);
        Assert.Null(run.ExitCode);
        Assert.Contains("Pending for 10 s (Kubernetes:PendingTimeoutSeconds)", run.FailureReason, StringComparison.Ordinal);
        Assert.Contains("ErrImagePull", run.FailureReason, StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Source == "kubernetes" && line.Level == "warn" && line.Msg.Contains("Failed to pull image", StringComparison.Ordinal));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task ContainerOomKilled_TheRunFailsWithExit137AndSaysOOMKilled_AndIsNotRetried()
    {
        using var console = Console(latencyMs: 150);
        using var client = console.BasicClient("operator");
        var run = await LaunchFetchingAsync(client, retries: 2);

        await _kube.KillAsync("opsconsole", $"opsconsole-{run.Id}", "OOMKilled");
        var ended = await WaitForEndAsync(client, run.Id, seconds: 60);

        Assert.Equal((RunState.Failed, 137, 1), (ended.State, ended.ExitCode, ended.Attempts));
        Assert.Contains("OOMKilled", ended.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodEvicted_TheRunIsRetriedAsANewJobOfTheSameRun_ThatResumesIt_EveryRecordOnce()
    {
        using var console = Console(latencyMs: 150);
        using var client = console.BasicClient("operator");
        var run = await LaunchFetchingAsync(client, retries: 1);

        await _kube.KillAsync("opsconsole", $"opsconsole-{run.Id}", "Evicted");
        var ended = await WaitForEndAsync(client, run.Id, seconds: 120);

        var lines = await AllLogLinesAsync(client, run.Id);
        Assert.True(ended.State == RunState.Succeeded, $"{ended.State}: {ended.FailureReason}\n{string.Join('\n', lines.Select(l => l.Text))}");
        Assert.Equal((2, 400L), (ended.Attempts, ended.Progress.Records));
        // Each attempt is its own Job; the run follows the second.
        Assert.NotNull(_kube.JobJson("opsconsole", $"opsconsole-{run.Id}"));
        Assert.Contains("\"opsconsole.io/attempt\":\"2\"", _kube.JobJson("opsconsole", $"opsconsole-{run.Id}-a2"), StringComparison.Ordinal);
        Assert.Equal($"opsconsole/opsconsole-{run.Id}-a2", (await console.Services.GetRequiredService<IRunStore>().HandleAsync(run.Id))!.Id);
        Assert.Contains(lines, line => line.Msg == $"Resuming run {run.Id} with the window its first attempt planned");
        var attempts = await console.Services.GetRequiredService<IRunStore>().AttemptsAsync(run.Id);
        Assert.Equal([(137, true), ((int?)0, false)], attempts.Select(a => (a.ExitCode, a.Retried)));
        Assert.Contains("Evicted", attempts[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task ConsoleRestartsMidRun_TheNextOneReattachesToThePods_AndEveryLineIsInTheLogOnce(int executors)
    {
        // The source outlives the console here, as it does in production: a Sandbox of its own.
        await using var sandbox = await OwnSandboxAsync();
        var (data, settings) = RestartSettings(sandbox);
        string id;
        using (var first = Console(latencyMs: 100, settings))
        using (var client = first.BasicClient("operator"))
        {
            id = (await LaunchFetchingAsync(client, executors)).Id;
            // With executors, the first console has read some of an executor's log: the next resumes it from its cursor.
            await WaitForLinesAsync(client, id, lines => executors == 1 || lines.Any(l => l.Source == "executor-0" && l.Event == "slice"));
        }
        try
        {
            using var second = Console(latencyMs: 100, settings);
            using var client = second.BasicClient("operator");

            var run = await WaitForEndAsync(client, id, seconds: 120);

            var lines = await AllLogLinesAsync(client, id);
            Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.FailureReason}");
            Assert.Equal(400, run.Progress.Records);
            Assert.Single(lines, line => line.Event == "summary");
            Assert.Equal(lines.Count, lines.Select(line => line.Text).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(executors + 1, lines.Select(l => l.Source).Where(s => s != "kubernetes").Distinct().Count());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task ConsoleRestarts_AdoptsAJobWhoseHandleItNeverStored_AndStopsAJobRunningForNoActiveRun()
    {
        await using var sandbox = await OwnSandboxAsync();
        var (data, settings) = RestartSettings(sandbox);
        string id;
        try
        {
            using (var first = Console(latencyMs: 100, settings))
            using (var client = first.BasicClient("operator"))
            {
                id = (await LaunchFetchingAsync(client)).Id;
            }
            // The console stopped between starting the Job and recording it: the run has no handle.
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data, "opsconsole.db")}"))
            {
                await connection.OpenAsync();
                await using var forget = connection.CreateCommand();
                forget.CommandText = "UPDATE runs SET job_kind = NULL, job_id = NULL";
                Assert.Equal(1, await forget.ExecuteNonQueryAsync());
            }
            // And a Job of the console's runs for a run this console does not know runs on.
            var images = _kube.Images;
            _kube.Images = image => image == "sleeper" ? ("sleep", []) : images(image);
            using var kube = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(_kube.Kubeconfig));
            var labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "opsconsole-console", ["opsconsole.io/role"] = "driver", ["opsconsole.io/run-id"] = "run-from-elsewhere" };
            await kube.BatchV1.CreateNamespacedJobAsync(new k8s.Models.V1Job
            {
                Metadata = new k8s.Models.V1ObjectMeta { Name = "opsconsole-run-from-elsewhere", Labels = labels },
                Spec = new k8s.Models.V1JobSpec
                {
                    Template = new k8s.Models.V1PodTemplateSpec
                    {
                        Metadata = new k8s.Models.V1ObjectMeta { Labels = labels },
                        Spec = new k8s.Models.V1PodSpec { RestartPolicy = "Never", Containers = [new k8s.Models.V1Container { Name = "job", Image = "sleeper", Args = ["300"] }] },
                    },
                },
            }, "opsconsole");

            using var second = Console(latencyMs: 100, settings);
            using var admin = second.BasicClient("operator");
            var run = await WaitForEndAsync(admin, id, seconds: 120);

            Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.FailureReason}");
            Assert.Equal(400, run.Progress.Records);
            Assert.Equal(("kubernetes", $"opsconsole/opsconsole-{id}"), (await second.Services.GetRequiredService<IRunStore>().HandleAsync(id)) is { } h ? (h.Kind, h.Id) : default);
            Assert.Contains(_kube.Deletes, d => d.Job == "opsconsole-run-from-elsewhere");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task TheRunnersRole_GrantsExactlyTheCallsTheRunnerMakes()
    {
        _kube.UnpullableImages.Add("opsconsole/job:missing");
        using (var console = Console(latencyMs: 0))
        using (var client = console.BasicClient("operator"))
        {
            await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id, seconds: 120);
        }
        using (var console = Console(latencyMs: 0, new() { ["Kubernetes:Image"] = "opsconsole/job:missing", ["Kubernetes:PendingTimeoutSeconds"] = "10" }))
        using (var client = console.BasicClient("operator"))
        {
            await WaitForEndAsync(client, (await LaunchAsync(client, new { stream = "charges" })).Id, seconds: 60);
        }

        var called = new SortedSet<string>(_kube.Requests.Select(Permission), StringComparer.Ordinal);

        Assert.Equal(await KubernetesManifestsTests.RunnerRoleAsync(), called);
    }

    /// <summary>The RBAC permission a request needs: "group/resource:verb".</summary>
    private static string Permission(string request)
    {
        var (method, path) = (request[..request.IndexOf(' ', StringComparison.Ordinal)], request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        var parts = path.Split('?')[0].Trim('/').Split('/');
        // /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]], /apis/{group}/{version}/namespaces/{ns}/{resource}[/{name}],
        // or a cluster-wide object: /api/v1/{resource}/{name}
        var cluster = parts[0] == "api" && parts[2] != "namespaces";
        var (group, rest) = cluster ? ("", parts[2..]) : parts[0] == "api" ? ("", parts[4..]) : (parts[1], parts[5..]);
        var resource = rest.Length == 3 ? $"{rest[0]}/{rest[2]}" : rest[0];
        var verb = method switch
        {
            "POST" => "create",
            "DELETE" => "delete",
            _ when rest.Length == 1 && path.Contains("watch=true", StringComparison.Ordinal) => "watch",
            _ when rest.Length == 1 => "list",
            _ => "get",
        };
        return $"{(cluster ? "cluster:" : "")}{group}/{resource}:{verb}";
    }

    /// <summary>A full run of charges on one worker, once its pod runs and records arrive (a Sandbox with latency keeps it going).</summary>
    private static async Task<RunInfo> LaunchFetchingAsync(HttpClient client, int executors = 1, int retries = 0)
    {
        var run = await LaunchAsync(client, new { stream = "charges", mode = "full", workers = 1, executors, retries, retryBackoffSeconds = 1 });
        return await WaitForAsync(client, run.Id, current => current.State == RunState.Running && current.Progress.Records > 0, seconds: 90);
    }

    /// <summary>A Sandbox apart from the console (it outlives a console that restarts, as a real source does): 400 charges, 100 ms a request.</summary>
    private static Task<Sandbox.Hosting.RunningSandbox> OwnSandboxAsync() => Sandbox.Hosting.SandboxApp.StartAsync(new Sandbox.Hosting.SandboxOptions
    {
        Charges = 400, LatencyMs = 100, JitterMs = 0, ArrivalsPerSecond = 0, UpdatesPerSecond = 0, LiveRatePerSecond = 0, TestRatePerSecond = 0,
    });

    /// <summary>Settings of consoles that follow one another over one data folder, with the source <paramref name="sandbox"/>.</summary>
    private static (string Data, Dictionary<string, string?> Settings) RestartSettings(Sandbox.Hosting.RunningSandbox sandbox)
    {
        var data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("N"));
        return (data, new()
        {
            ["Data:Path"] = data, ["Sandbox:Enabled"] = "false", ["Source:ApiBase"] = sandbox.BaseAddress.ToString(), ["Source:SecretKey"] = "sk_live_sandbox",
        });
    }

    private static async Task WaitForLinesAsync(HttpClient client, string runId, Func<List<Logs.LogLine>, bool> done)
    {
        for (var wait = 0; !done(await AllLogLinesAsync(client, runId)); wait++)
        {
            Assert.True(wait < 600, "the lines did not come in 60 s");
            await Task.Delay(100);
        }
    }

    /// <summary>No pod of any run is still running (ended pods stay until their Job's time to live).</summary>
    private async Task AssertNothingRunningAsync()
    {
        for (var wait = 0; _kube.RunningPods() > 0; wait++)
        {
            Assert.True(wait < 100, $"{_kube.RunningPods()} pods still run");
            await Task.Delay(100);
        }
    }

    private async Task AssertNothingLeftAsync()
    {
        for (var wait = 0; _kube.Objects() is not { Jobs.Count: 0, Pods.Count: 0 }; wait++)
        {
            Assert.True(wait < 100, $"left behind: {string.Join(", ", _kube.Objects().Jobs.Concat(_kube.Objects().Pods))}");
            await Task.Delay(100);
        }
    }

    private ConsoleAppFactory Console(int latencyMs, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Runner:Kind"] = "kubernetes", ["Kubernetes:Kubeconfig"] = _kube.Kubeconfig, ["Kubernetes:Image"] = "opsconsole/job:test",
            ["Sandbox:Charges"] = "400", ["Sandbox:LatencyMs"] = $"{latencyMs}", ["Sandbox:JitterMs"] = "0",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        var console = ConsoleAppFactory.With(settings);
        _kube.Secrets["opsconsole-source"] = new() { ["STRIPE_SECRET_KEY"] = SecretOf(console) };
        return console;
    }

    private static string SecretOf(ConsoleAppFactory console) => console.Services.GetRequiredService<JobSpecFactory>().SecretKey;
}
