using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Runs;

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
