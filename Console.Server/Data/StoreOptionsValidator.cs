using Microsoft.Extensions.Options;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Server.Data;

/// <summary>Both URIs must be ones a store factory takes; the message names <c>State:Uri</c> or <c>Lake:Uri</c>.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var errors = new List<string>();
        Check(errors, $"{StoreOptions.StateSection}:Uri", options.StateUri, uri => StateStores.Factory().Parse(uri));
        Check(errors, $"{StoreOptions.LakeSection}:Uri", options.LakeUri, uri => LakeStorages.Factory().Parse(uri));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string key, string value, Func<string, StoreUri> parse)
    {
        if (value.Length == 0)
        {
            return; // the default in the data folder
        }
        try
        {
            parse(value);
        }
        catch (StoreUriException exception)
        {
            errors.Add($"{key} {exception.Message}");
        }
    }
}
