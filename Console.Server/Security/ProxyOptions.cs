namespace OpsConsole.Server.Security;

/// <summary>The reverse proxy in front of the console (<c>Proxy</c> section).</summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>
    /// The proxies whose <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c> count (addresses or CIDR networks): a
    /// request from one of them is taken as the client's (https marks the session cookie Secure, the client's address
    /// keys the sign-in lockout). From any other peer the headers are ignored. Empty: no proxy is trusted.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
