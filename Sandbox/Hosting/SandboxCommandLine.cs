using System.Globalization;
using System.Reflection;

namespace OpsConsole.Sandbox.Hosting;

/// <summary>
/// The standalone command line: <c>--option value</c> or <c>--option=value</c> for every <see cref="SandboxOptions"/>
/// property, in kebab case (<c>--arrivals-per-second</c>) or as named; <c>--urls</c> goes to the web host.
/// Unknown options and bad values are errors naming the option.
/// </summary>
public static class SandboxCommandLine
{
    private static readonly string[] HostOptions = ["urls", "environment", "contentRoot"];

    public static (SandboxOptions Options, string[] HostArgs, IReadOnlyList<string> Errors) Parse(string[] args)
    {
        var options = new SandboxOptions();
        var hostArgs = new List<string>();
        var errors = new List<string>();
        var properties = typeof(SandboxOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{arg}'.");
                continue;
            }
            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (arg[2..eq], arg[(eq + 1)..])
                : (arg[2..], i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true");
            var key = name.Replace("-", "", StringComparison.Ordinal);
            if (HostOptions.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                hostArgs.Add($"--{key}");
                hostArgs.Add(value);
                continue;
            }
            if (!properties.TryGetValue(key, out var property))
            {
                errors.Add($"unknown option --{name}.");
                continue;
            }
            try
            {
                property.SetValue(options, Convert.ChangeType(value, property.PropertyType, CultureInfo.InvariantCulture));
            }
            catch (Exception exception) when (exception is FormatException or OverflowException or InvalidCastException)
            {
                errors.Add($"--{name}: '{value}' is not a valid {Describe(property.PropertyType)}.");
            }
        }

        errors.AddRange(SandboxOptionsValidator.Validate(options));
        return (options, [.. hostArgs], errors);
    }

    private static string Describe(Type type) => type == typeof(bool) ? "true/false"
        : type == typeof(double) ? "number"
        : type == typeof(string) ? "text"
        : "whole number";
}
