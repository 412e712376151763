namespace OpsConsole.Server.Security;

public static class SecurityHeaders
{
    /// <summary>
    /// Scripts from this origin only (Blazor and MudBlazor need no inline script or eval); inline style attributes are
    /// allowed because MudBlazor components set them; no framing of the console; SignalR's WebSocket to this origin;
    /// frames only from the configured Grafana's origin (none without Grafana).
    /// </summary>
    public static string ContentSecurityPolicy(string? frameOrigin) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        $"connect-src 'self'; frame-src {frameOrigin ?? "'none'"}; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var policy = ContentSecurityPolicy(app.ApplicationServices.GetRequiredService<Shared.Grafana.GrafanaPanels>().Origin);
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            return next(context);
        });
    }
}
