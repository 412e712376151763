using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Notifications;

/// <summary>The webhook that hears of run failures and of what operators do (<c>Notifications</c> section).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Where events are POSTed as JSON; empty: no notifications.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Attempts per event before it is marked Failed in the delivery log.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait after the first failed attempt; it doubles after each (2, 4, 8, ... s).</summary>
    public double BackoffSeconds { get; set; } = 2;

    public double TimeoutSeconds { get; set; } = 10;
}

internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var errors = new OptionsErrors(NotificationOptions.Section);
        if (options.WebhookUrl is { Length: > 0 })
        {
            errors.Require(Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
                nameof(NotificationOptions.WebhookUrl), $"must be an http(s) URL (got '{options.WebhookUrl}').");
        }
        errors.Range(options.MaxAttempts, nameof(NotificationOptions.MaxAttempts), 1, 100);
        errors.Range(options.BackoffSeconds, nameof(NotificationOptions.BackoffSeconds), 0.01, 3600);
        errors.Range(options.TimeoutSeconds, nameof(NotificationOptions.TimeoutSeconds), 0.1, 300);
        return errors.ToResult();
    }
}
