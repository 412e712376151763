using Microsoft.Extensions.Options;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Sources;

/// <summary>Checks the URL and, through the Sandbox's own validator, every Sandbox option of the section.</summary>
internal sealed class EmbeddedSandboxOptionsValidator(IConfiguration configuration) : IValidateOptions<EmbeddedSandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedSandboxOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new OptionsErrors(EmbeddedSandboxOptions.Section);
        errors.Require(Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp,
            nameof(EmbeddedSandboxOptions.Url), $"must be an http:// URL (got '{options.Url}').");
        var result = errors.ToResult();
        var sandboxErrors = SandboxOptionsValidator.Validate(EmbeddedSandbox.SandboxOptionsFrom(configuration))
            .Select(error => $"{EmbeddedSandboxOptions.Section}:{error}").ToList();
        return sandboxErrors.Count == 0 ? result
            : ValidateOptionsResult.Fail([.. result.Failures ?? [], .. sandboxErrors]);
    }
}
