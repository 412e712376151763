using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Configuration;

/// <summary>Turns the exceptions a bad setting causes at start into messages that name the key.</summary>
public static class ConfigurationErrors
{
    /// <summary>Every configuration problem inside <paramref name="exception"/>; empty when it is not a configuration problem.</summary>
    public static IReadOnlyList<string> Describe(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(Describe)],
        // The binder's message names the key: "Failed to convert configuration value 'five' at 'Auth:MaxFailedSignIns' to type 'System.Int32'."
        InvalidOperationException { Message: var message } when message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => [message],
        _ when exception.InnerException is { } inner => Describe(inner),
        _ => [],
    };
}
