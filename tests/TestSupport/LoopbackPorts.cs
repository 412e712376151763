using System.Net;
using System.Net.Sockets;

namespace OpsConsole.TestSupport;

/// <summary>Ports for servers the tests start as processes (Kestrel in-process takes port 0 itself).</summary>
public static class LoopbackPorts
{
    /// <summary>A port free on 127.0.0.1 at the time of asking.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
