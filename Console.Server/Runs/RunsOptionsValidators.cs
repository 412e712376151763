using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Runners;

namespace OpsConsole.Server.Runs;

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

internal sealed class LogOptionsValidator : IValidateOptions<LogOptions>
{
    public ValidateOptionsResult Validate(string? name, LogOptions options)
    {
        var errors = new OptionsErrors(LogOptions.Section);
        errors.Range(options.BufferLines, nameof(LogOptions.BufferLines), 100, 10_000_000);
        errors.Range(options.ArchiveIntervalMs, nameof(LogOptions.ArchiveIntervalMs), 50, 60_000);
        errors.Range(options.KeepFinishedSeconds, nameof(LogOptions.KeepFinishedSeconds), 0, 86_400);
        return errors.ToResult();
    }
}

internal sealed class SourceOptionsValidator : IValidateOptions<SourceOptions>
{
    public ValidateOptionsResult Validate(string? name, SourceOptions options)
    {
        var errors = new OptionsErrors(SourceOptions.Section);
        if (options.ApiBase is { Length: > 0 })
        {
            errors.Require(Uri.TryCreate(options.ApiBase, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
                nameof(SourceOptions.ApiBase), $"must be an http(s) URL (got '{options.ApiBase}').");
        }
        return errors.ToResult();
    }
}
