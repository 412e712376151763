using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Security;

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new OptionsErrors(ProxyOptions.Section);
        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            errors.Require(Networks.TryParse(options.TrustedProxies[i], out _), $"{nameof(ProxyOptions.TrustedProxies)}:{i}",
                $"'{options.TrustedProxies[i]}' is not a proxy's address or network: write an address (10.0.0.7) or CIDR (10.0.0.0/8).");
        }
        return errors.ToResult();
    }
}
