namespace OpsConsole.Server.Security;

/// <summary>Running behind a TLS-terminating reverse proxy. Section <c>Proxy</c>.</summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>
    /// Trust <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c> from any peer, so the session cookie is marked
    /// Secure and links use https behind the proxy. Turn on only when the console is reachable through the proxy alone.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }
}
