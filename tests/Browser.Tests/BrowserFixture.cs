using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpsConsole.Browser.Tests;

/// <summary>One console process and one headless Debian Chromium for all browser tests; each test gets its own context.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium (apt package chromium); Playwright's own browser download is not used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public ConsoleServer Server { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Calls the console's API as <paramref name="user"/> (HTTP Basic), asserts success, returns the JSON body.</summary>
    public async Task<JsonElement> ApiAsync(HttpMethod method, string path, object? body = null, string user = "viewer", ConsoleServer? server = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri((server ?? Server).BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{ConsoleServer.Passwords[user]}")));
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == System.Net.HttpStatusCode.NoContent ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Cancels a run that may already have ended (a test's clean-up): a 409 for an ended run is not a failure.</summary>
    public async Task CancelIfActiveAsync(string id, ConsoleServer? server = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri((server ?? Server).BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{ConsoleServer.Passwords["operator"]}")));
        var response = await client.PostAsync($"/api/runs/{id}/cancel", JsonContent.Create(new { }));
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.Conflict,
            $"cancel {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Launches a full run of <paramref name="stream"/> once no other run of it is active (other tests launch some), waits
    /// for it to end, and returns its id.
    /// </summary>
    public async Task<string> RunToTheEndAsync(string stream, ConsoleServer? server = null)
    {
        JsonElement launched = default;
        for (var attempt = 0; attempt < 300 && launched.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            var checkpoint = (await ApiAsync(HttpMethod.Get, "/api/checkpoints", server: server)).EnumerateArray().Single(c => c.GetProperty("stream").GetString() == stream);
            if (checkpoint.TryGetProperty("activeRunId", out var active) && active.ValueKind == JsonValueKind.String)
            {
                await Task.Delay(200);
                continue;
            }
            launched = await ApiAsync(HttpMethod.Post, "/api/runs", new { stream, mode = "full", workers = 2 }, "operator", server);
        }
        var id = launched.GetProperty("id").GetString()!;
        for (var i = 0; i < 600 && (await ApiAsync(HttpMethod.Get, $"/api/runs/{id}", server: server)).GetProperty("state").GetString() is "Pending" or "Starting" or "Running" or "Cancelling"; i++)
        {
            await Task.Delay(100);
        }
        return id;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install the Debian package 'chromium' (the test script does).");
        }
        Server = await ConsoleServer.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>
    /// A fresh browser context (no cookies) with the console (or another one) as base URL; console errors are collected.
    /// <paramref name="options"/> sets the viewport or the system colour scheme.
    /// </summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(ConsoleServer? server = null, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = (server ?? Server).BaseUrl;
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"HTTP {response.Status} {response.Url}");
            }
        };
        return (page, errors);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
