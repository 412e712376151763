using System.Security.Cryptography;

namespace OpsConsole.Server.Ui;

/// <summary>
/// Serves <c>/_framework/blazor.web.js</c>, which build/BlazorScript.targets extracts from the ASP.NET Core runtime
/// pack and embeds in this assembly (the SDK's own copy comes from a package this feed does not serve).
/// </summary>
internal static class BlazorScript
{
    public const string Path = "/_framework/blazor.web.js";

    private static readonly Lazy<(byte[] Content, string ETag)> Script = new(() =>
    {
        using var stream = typeof(BlazorScript).Assembly.GetManifestResourceStream("blazor.web.js")
            ?? throw new InvalidOperationException("blazor.web.js is not embedded: the build target ExtractBlazorScript did not run.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return (content, $"\"{Convert.ToHexString(SHA256.HashData(content))[..16]}\"");
    });

    /// <summary>The script's size, so a start-up check fails loudly if it is missing.</summary>
    public static int Length => Script.Value.Content.Length;

    public static IEndpointConventionBuilder MapBlazorScript(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, (HttpContext context) =>
        {
            var (content, etag) = Script.Value;
            context.Response.Headers.ETag = etag;
            context.Response.Headers.CacheControl = "no-cache";
            return context.Request.Headers.IfNoneMatch == etag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(content, "text/javascript; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
}
