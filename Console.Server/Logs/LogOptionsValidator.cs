using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Logs;

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
