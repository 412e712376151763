using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Auth;

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new OptionsErrors(AuthOptions.Section);
        errors.Range(options.MaxFailedSignIns, nameof(AuthOptions.MaxFailedSignIns), 1, 100);
        errors.Range(options.LockoutMinutes, nameof(AuthOptions.LockoutMinutes), 1, 7 * 24 * 60);
        errors.Range(options.SessionMinutes, nameof(AuthOptions.SessionMinutes), 5, 30 * 24 * 60);
        errors.Range(options.SignInsPerSecondPerAddress, nameof(AuthOptions.SignInsPerSecondPerAddress), 1, 1000);
        errors.Range(options.SignInBurstPerAddress, nameof(AuthOptions.SignInBurstPerAddress), 1, 10_000);
        errors.Range(options.SignInsPerSecond, nameof(AuthOptions.SignInsPerSecond), 1, 10_000);
        errors.Range(options.SignInBurst, nameof(AuthOptions.SignInBurst), 1, 100_000);
        errors.Range(options.RevalidateSeconds, nameof(AuthOptions.RevalidateSeconds), 5, 3600);
        return errors.ToResult();
    }
}
