using System.Security.Cryptography;

namespace OpsConsole.Server.Ui;

/// <summary>
/// The browser SignalR client and its MessagePack hub protocol (build/BrowserClient.targets embeds them from their npm
/// packages) as the console serves them.
/// The Blazor script is the Web SDK's own, a static asset at <c>/_framework/blazor.web.js</c>.
/// </summary>
internal static class EmbeddedScripts
{
    public const string SignalRPath = "/lib/signalr/signalr.min.js";

    public const string MessagePackPath = "/lib/signalr/signalr-protocol-msgpack.min.js";

    private static readonly Lazy<(byte[] Content, string ETag)> SignalR = new(() => Load("signalr.min.js", "RestoreBrowserClient"));

    private static readonly Lazy<(byte[] Content, string ETag)> MessagePack = new(() => Load("signalr-protocol-msgpack.min.js", "RestoreBrowserClient"));

    /// <summary>Loads the scripts, so a start-up fails loudly if the build did not embed them.</summary>
    public static void EnsureEmbedded() => _ = (SignalR.Value, MessagePack.Value);

    public static void MapEmbeddedScripts(this IEndpointRouteBuilder endpoints)
    {
        Map(endpoints, SignalRPath, SignalR);
        Map(endpoints, MessagePackPath, MessagePack);
    }

    private static void Map(IEndpointRouteBuilder endpoints, string path, Lazy<(byte[] Content, string ETag)> script) =>
        endpoints.MapGet(path, (HttpContext context) =>
        {
            var (content, etag) = script.Value;
            context.Response.Headers.ETag = etag;
            context.Response.Headers.CacheControl = "no-cache";
            return context.Request.Headers.IfNoneMatch == etag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(content, "text/javascript; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();

    private static (byte[] Content, string ETag) Load(string name, string target)
    {
        using var stream = typeof(EmbeddedScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded: the build target {target} did not run.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return (content, $"\"{Convert.ToHexString(SHA256.HashData(content))[..16]}\"");
    }
}
