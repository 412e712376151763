using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Server.Tests;

/// <summary>A webhook receiver on loopback that fails its first request, so every test that uses it also sees a retry.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<JsonElement> _received = new();
    private WebApplication _app = default!;
    private int _requests;

    public string Url => $"{_app.Urls.First()}/hook";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        receiver._app = builder.Build();
        receiver._app.MapPost("/hook", async (HttpContext context) =>
        {
            if (Interlocked.Increment(ref receiver._requests) == 1)
            {
                return Results.StatusCode(503);
            }
            receiver._received.Enqueue((await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone());
            return Results.Ok();
        });
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Waits (up to 30 s) until at least <paramref name="count"/> notifications arrived; all of them so far.</summary>
    public async Task<List<JsonElement>> ReceivedAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the webhook received {_received.Count} of {count} notifications");
            await Task.Delay(50);
        }
        return [.. _received];
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
