using System.Net.Http.Headers;
using System.Text.Json;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.TestSupport;

namespace OpsConsole.Sandbox.Tests;

/// <summary>A Sandbox on a free loopback port with a fixed, manual clock, no latency and no rate limits unless a test asks.</summary>
public sealed class TestSandbox : IAsyncDisposable
{
    public const long Start = SandboxTestOptions.Start;
    public const string TestKey = "sk_test_sandbox";
    public const string LiveKey = "sk_live_sandbox";

    private TestSandbox(RunningSandbox sandbox)
    {
        Sandbox = sandbox;
        Http = new HttpClient { BaseAddress = sandbox.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestKey);
    }

    public RunningSandbox Sandbox { get; }

    public HttpClient Http { get; }

    public static SandboxOptions DefaultOptions() => SandboxTestOptions.Create();

    public static async Task<TestSandbox> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = DefaultOptions();
        configure?.Invoke(options);
        return new TestSandbox(await SandboxApp.StartAsync(options));
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(string path, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(path, UriKind.Relative));
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return ((int)response.StatusCode, body, response);
    }

    /// <summary>Every object of a list endpoint, following starting_after until has_more is false.</summary>
    public async Task<List<JsonElement>> ListAllAsync(string path, int limit = 100)
    {
        var all = new List<JsonElement>();
        string? after = null;
        while (true)
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await GetJsonAsync($"{path}{separator}limit={limit}{(after is null ? "" : $"&starting_after={after}")}");
            var data = page.GetProperty("data").EnumerateArray().ToList();
            all.AddRange(data);
            if (!page.GetProperty("has_more").GetBoolean() || data.Count == 0)
            {
                return all;
            }
            after = data[^1].GetProperty("id").GetString();
        }
    }

    public async Task<List<JsonElement>> TruthAsync(string stream, string window = "")
    {
        var truth = await GetJsonAsync($"/_sandbox/truth/{stream}{window}");
        return [.. truth.GetProperty("objects").EnumerateArray()];
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Sandbox.DisposeAsync();
    }
}
