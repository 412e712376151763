using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Metrics;

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new OptionsErrors(MetricsOptions.Section);
        errors.Range(options.MaxSeriesPerMetric, nameof(MetricsOptions.MaxSeriesPerMetric), 1, 1_000_000);
        for (var i = 0; i < options.Meters.Count; i++)
        {
            errors.Require(!string.IsNullOrWhiteSpace(options.Meters[i]), $"{nameof(MetricsOptions.Meters)}:{i}", "must name a meter.");
        }
        return errors.ToResult();
    }
}
