using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Runners;

internal sealed class RunnerOptionsValidator : IValidateOptions<RunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, RunnerOptions options)
    {
        var errors = new OptionsErrors(RunnerOptions.Section);
        errors.Require(RunnerRegistry.Kinds.Contains(options.Kind), nameof(RunnerOptions.Kind),
            $"'{options.Kind}' is not a runner (known: {string.Join(", ", RunnerRegistry.Kinds)}).");
        errors.Range(options.GracePeriodSeconds, nameof(RunnerOptions.GracePeriodSeconds), 1, 3600);
        errors.Range(options.PollMs, nameof(RunnerOptions.PollMs), 5, 1000);
        errors.Require(File.Exists(options.JobPath), nameof(RunnerOptions.Job), $"'{options.JobPath}' does not exist (build SparkJobs, or set the job's path).");
        return errors.ToResult();
    }
}
