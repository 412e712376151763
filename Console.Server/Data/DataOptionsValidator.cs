using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Data;

internal sealed class DataOptionsValidator : IValidateOptions<DataOptions>
{
    public ValidateOptionsResult Validate(string? name, DataOptions options)
    {
        var errors = new OptionsErrors(DataOptions.Section);
        errors.Require(!string.IsNullOrWhiteSpace(options.Path), nameof(DataOptions.Path),
            $"must name a folder (set {DataOptions.EnvironmentVariable} or {DataOptions.Section}:{nameof(DataOptions.Path)}).");
        if (!string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Require(CanWrite(options.FullPath, out var problem), nameof(DataOptions.Path),
                $"'{options.Path}' is not a writable folder: {problem}");
        }
        return errors.ToResult();
    }

    private static bool CanWrite(string folder, out string problem)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            problem = "";
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problem = exception.Message;
            return false;
        }
    }
}
