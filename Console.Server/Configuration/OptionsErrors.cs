using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Configuration;

/// <summary>Collects validation errors, each naming its full configuration key, into one result.</summary>
internal sealed class OptionsErrors(string section)
{
    private readonly List<string> _errors = [];

    public void Require(bool condition, string key, string message)
    {
        if (!condition)
        {
            _errors.Add($"{section}:{key} {message}");
        }
    }

    public void Range(int value, string key, int min, int max) =>
        Require(value >= min && value <= max, key, $"must be between {min} and {max} (got {value}).");

    public void Range(double value, string key, double min, double max) =>
        Require(value >= min && value <= max, key, $"must be between {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {max.ToString(System.Globalization.CultureInfo.InvariantCulture)} (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");

    public ValidateOptionsResult ToResult() =>
        _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
