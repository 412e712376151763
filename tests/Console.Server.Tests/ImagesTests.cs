using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The images of <c>deploy/docker</c>. No Docker engine exists here, so the test reads each Dockerfile, runs its
/// <c>dotnet publish</c> into a folder, and runs the published console and job from there as another user than the one
/// who built them (nobody, when the tests run as root): the images' processes read nothing from the builder's home
/// (the NuGet cache) and write nothing into their own folder (the root filesystem is read-only in the pod).
/// </summary>
public sealed partial class ImagesTests : IAsyncLifetime
{
    private const int Nobody = 65534;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opsconsole-images", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean with the rest of the temp folder.
        }
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("console.Dockerfile", "mcr.microsoft.com/dotnet/aspnet:10.0", "OpsConsole.Server.dll")]
    [InlineData("job.Dockerfile", "mcr.microsoft.com/dotnet/runtime:10.0", "OpsConsole.SparkJobs.dll")]
    public void Dockerfile_MultiStage_FinalStageHasNoSdkAndRunsAsNonRoot(string file, string runtimeImage, string entryAssembly)
    {
        var image = Dockerfile.Read(file);

        Assert.True(image.Stages.Count >= 2, $"{file}: a build stage and a final stage");
        Assert.Contains("/dotnet/sdk:", image.Stages[0], StringComparison.Ordinal);
        Assert.Equal(runtimeImage, image.Stages[^1]);
        Assert.Matches("^[1-9][0-9]*(:[1-9][0-9]*)?$", image.User);
        Assert.Equal(["dotnet", entryAssembly], image.Entrypoint);
        Assert.Equal("/out", image.PublishOutput);
    }

    [Fact]
    public async Task PublishedConsoleAndJob_RunAsAnotherUser_ServeTheUiAndIngest()
    {
        var console = await PublishAsync("console.Dockerfile", "console");
        var job = await PublishAsync("job.Dockerfile", "job");
        var data = OwnedByRunner(Path.Combine(_root, "data"));

        await using var server = await PublishedConsole.StartAsync(console, data);

        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        foreach (var path in new[] { "/signin", "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.js" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}\n{server.Output}");
        }

        // A run through the console's local runner: the job beside the console, as the same user.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{PublishedConsole.AdminPassword}")));
        using var launched = await http.PostAsJsonAsync(new Uri("/api/runs", UriKind.Relative), new { source = "stripe", stream = "customers" });
        Assert.True(launched.StatusCode == HttpStatusCode.Created, $"{(int)launched.StatusCode}: {await launched.Content.ReadAsStringAsync()}");
        var runId = (await launched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var run = await WaitEndedAsync(http, runId!);
        Assert.True(run.GetProperty("state").GetString() == "Succeeded", $"{run}\n{server.Output}");
        Assert.True(run.GetProperty("progress").GetProperty("records").GetInt64() > 0, run.ToString());

        // The job's own image: an ingest against the console's Sandbox into a lake and state of its own.
        var lake = OwnedByRunner(Path.Combine(_root, "job-lake"));
        var (exit, output) = await RunAsync(job,
            [Path.Combine(job, "OpsConsole.SparkJobs.dll"), "ingest", "--source", "stripe", "--stream", "customers", "--run-id", "image-run", "--api-base", server.SandboxUrl,
             "--lake", new Uri(Path.Combine(lake, "lake")).AbsoluteUri, "--state", $"sqlite:{Path.Combine(lake, "state.db")}", "--workers", "2"],
            new Dictionary<string, string> { ["STRIPE_SECRET_KEY"] = "sk_test_sandbox" });
        Assert.True(exit == 0, $"exit {exit}:\n{output}");
        Assert.True(Directory.EnumerateFiles(Path.Combine(lake, "lake"), "*.parquet", SearchOption.AllDirectories).Any(), output);
    }

    private static async Task<JsonElement> WaitEndedAsync(HttpClient http, string runId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var run = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{runId}", UriKind.Relative));
            if (run.GetProperty("endedAt").ValueKind != JsonValueKind.Null || DateTime.UtcNow > deadline)
            {
                return run;
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Runs the Dockerfile's <c>dotnet publish</c> with its output in a folder of the test (restored already by the build).</summary>
    private async Task<string> PublishAsync(string file, string name)
    {
        var output = Path.Combine(_root, name);
        var arguments = Dockerfile.Read(file).Publish.Select(a => a == "/out" ? output : a).Skip(1).Append("--no-restore").ToList();
        var (exit, log) = await RunAsync(RepoPaths.Root, arguments, asRunner: false);
        Assert.True(exit == 0, $"dotnet {string.Join(' ', arguments)} exited {exit}:\n{log}");
        return output;
    }

    private static bool AsRoot => Environment.UserName == "root";

    private static string OwnedByRunner(string folder)
    {
        Directory.CreateDirectory(folder);
        if (AsRoot)
        {
            using var chown = Process.Start("chown", [$"{Nobody}:{Nobody}", folder]);
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }
        return folder;
    }

    /// <summary><c>dotnet</c> as the image's user: nobody when the tests run as root (setpriv), else the current user.</summary>
    private static ProcessStartInfo Dotnet(string workingDirectory, IEnumerable<string> arguments, bool asRunner)
    {
        var start = asRunner && AsRoot
            ? new ProcessStartInfo("setpriv", ["--reuid", $"{Nobody}", "--regid", $"{Nobody}", "--clear-groups", "--", "dotnet", .. arguments])
            : new ProcessStartInfo("dotnet", arguments);
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        if (asRunner)
        {
            // The image's user has no home of its own and no NuGet cache.
            start.Environment["HOME"] = "/nonexistent";
            start.Environment.Remove("NUGET_PACKAGES");
        }
        return start;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, bool asRunner = true)
    {
        var start = Dotnet(workingDirectory, arguments, asRunner);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The published console started as the image starts it: from its folder, data elsewhere, as the image's user.</summary>
    private sealed partial class PublishedConsole : IAsyncDisposable
    {
        public const string AdminPassword = "Images-Admin-Pass-1";
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private PublishedConsole(Process process, string baseUrl) => (_process, BaseUrl) = (process, baseUrl);

        public string BaseUrl { get; }

        public string SandboxUrl => SandboxListening().Match(Output) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"No Sandbox URL in the log:\n{Output}");

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<PublishedConsole> StartAsync(string folder, string data)
        {
            var baseUrl = $"http://127.0.0.1:{LoopbackPorts.Free()}";
            var start = Dotnet(folder, [Path.Combine(folder, "OpsConsole.Server.dll"), "--urls", baseUrl, "--Sandbox:Url", "http://127.0.0.1:0"], asRunner: true);
            start.Environment["OPSCONSOLE_DATA"] = data;
            start.Environment["OPSCONSOLE_ADMIN_PASSWORD"] = AdminPassword;
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var process = Process.Start(start)!;
            var console = new PublishedConsole(process, baseUrl);
            process.OutputDataReceived += (_, line) => console.Append(line.Data);
            process.ErrorDataReceived += (_, line) => console.Append(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await console.WaitReadyAsync();
            return console;
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        private async Task WaitReadyAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(_process.HasExited, $"The published console exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
                try
                {
                    using var response = await http.GetAsync(new Uri($"{BaseUrl}/readyz"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                }
                await Task.Delay(200);
            }
            throw new TimeoutException($"The published console was not ready in 90 s:\n{Output}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }

        [GeneratedRegex(@"Sandbox source listening on (http://\S+?)/?\s")]
        private static partial Regex SandboxListening();
    }

    /// <summary>What the tests need of a Dockerfile: each stage's base image, the publish command, the user and the entrypoint.</summary>
    private sealed record Dockerfile(List<string> Stages, List<string> Publish, string User, List<string> Entrypoint)
    {
        public string PublishOutput => Publish[Publish.IndexOf("-o") + 1];

        public static Dockerfile Read(string file)
        {
            var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "deploy", "docker", file))
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
            var publish = lines.Single(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal))["RUN ".Length..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();
            var entrypoint = JsonSerializer.Deserialize<List<string>>(lines.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..])!;
            return new Dockerfile(stages, publish, user, entrypoint);
        }
    }
}
