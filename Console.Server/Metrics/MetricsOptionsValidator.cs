using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Metrics;

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new OptionsErrors(MetricsOptions.Section);
        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            errors.Require(Security.Networks.TryParse(options.AllowedNetworks[i], out _), $"{nameof(MetricsOptions.AllowedNetworks)}:{i}",
                $"'{options.AllowedNetworks[i]}' is not a network: write CIDR (10.0.0.0/8) or an address.");
        }
        return errors.ToResult();
    }
}
