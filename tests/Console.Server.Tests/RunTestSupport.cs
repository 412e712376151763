using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Runners;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>Launching runs and waiting for them over the API.</summary>
internal static class RunTestSupport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>tests/Console.Server.Tests/Jobs/fake-job.sh: a job whose behaviour follows --stream (see the script).</summary>
    public static string FakeJob { get; } = Path.Combine(RepoPaths.Root, "tests", "Console.Server.Tests", "Jobs", "fake-job.sh");

    /// <summary>
    /// A console whose runner is the in-process <see cref="ScriptedJobRunner"/> (the job's behaviour follows --stream),
    /// with a short grace period: the run service's tests need no process.
    /// </summary>
    public static ConsoleAppFactory FakeJobConsole(IDictionary<string, string?>? extra = null) =>
        ConsoleAppFactory.With(Settings(extra), services => services.AddSingleton<IJobRunner>(new ScriptedJobRunner()));

    /// <summary>A console whose local runner starts <see cref="FakeJob"/> as a real process: for the local runner's own tests.</summary>
    public static ConsoleAppFactory ProcessJobConsole(IDictionary<string, string?>? extra = null) =>
        ConsoleAppFactory.With(new Dictionary<string, string?>(Settings(extra)) { ["Runner:Job"] = FakeJob });

    private static Dictionary<string, string?> Settings(IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?> { ["Runner:GracePeriodSeconds"] = "2" };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>A fake-job console that sends its notifications to <paramref name="receiver"/>, retrying quickly.</summary>
    public static ConsoleAppFactory FakeJobConsole(WebhookReceiver receiver, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Notifications:WebhookUrl"] = receiver.Url, ["Notifications:BackoffSeconds"] = "0.05" };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return FakeJobConsole(settings);
    }

    public static async Task<RunInfo> LaunchAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/runs", request);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunInfo>(Json))!;
    }

    public static async Task<RunInfo> GetAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<RunInfo>($"/api/runs/{id}", Json))!;

    public static async Task<RunInfo> WaitForAsync(HttpClient client, string id, Func<RunInfo, bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var run = await GetAsync(client, id);
            if (condition(run))
            {
                return run;
            }
            Assert.True(DateTime.UtcNow < deadline, $"run {id} is {run.State} after {seconds} s: {JsonSerializer.Serialize(run, Json)}");
            await Task.Delay(100);
        }
    }

    public static Task<RunInfo> WaitForEndAsync(HttpClient client, string id, int seconds = 60) =>
        WaitForAsync(client, id, run => !run.State.IsActive(), seconds);

    public static async Task<List<LogLine>> AllLogLinesAsync(HttpClient client, string id)
    {
        var lines = new List<LogLine>();
        while (true)
        {
            var page = (await client.GetFromJsonAsync<LogPage>($"/api/runs/{id}/logs?after={(lines.Count > 0 ? lines[^1].Seq : 0)}&limit=5000", Json))!;
            lines.AddRange(page.Lines);
            if (page.Lines.Count == 0)
            {
                return lines;
            }
        }
    }

    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
