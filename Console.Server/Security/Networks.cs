using System.Net;

namespace OpsConsole.Server.Security;

/// <summary>Networks as settings name them (<c>Metrics:AllowedNetworks</c>, <c>Proxy:TrustedProxies</c>).</summary>
public static class Networks
{
    /// <summary>A network in CIDR notation, or one address (a /32 or /128).</summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }
        return false;
    }
}
