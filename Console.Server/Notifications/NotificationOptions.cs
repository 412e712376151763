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

    /// <summary>
    /// More webhooks by name (<c>Notifications:Routes:payments-team</c>), which a data-quality rule names with
    /// <c>notify</c> to have its failures sent there too.
    /// </summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The console's address as people reach it (<c>https://opsconsole.example.com</c>), for links in notifications; unset: links are paths.</summary>
    public string? ConsoleUrl { get; set; }

    /// <summary>The URL a delivery goes to: its route's, or the webhook's; null when neither is set.</summary>
    public string? UrlFor(string? route) => route is not null && Routes.TryGetValue(route, out var url) ? url : WebhookUrl is { Length: > 0 } webhook ? webhook : null;
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
        foreach (var (route, url) in options.Routes)
        {
            errors.Require(System.Text.RegularExpressions.Regex.IsMatch(route, "^[a-z0-9][a-z0-9_-]{0,62}$"), $"Routes:{route}",
                "must be named with lower-case letters, digits, - and _ (the name a rule's notify gives).");
            errors.Require(Uri.TryCreate(url, UriKind.Absolute, out var routeUrl) && routeUrl.Scheme is "http" or "https", $"Routes:{route}",
                "must be an http(s) URL.");
        }
        if (options.ConsoleUrl is { Length: > 0 })
        {
            errors.Require(Uri.TryCreate(options.ConsoleUrl, UriKind.Absolute, out var console) && console.Scheme is "http" or "https",
                nameof(NotificationOptions.ConsoleUrl), $"must be an http(s) URL (got '{options.ConsoleUrl}').");
        }
        errors.Range(options.MaxAttempts, nameof(NotificationOptions.MaxAttempts), 1, 100);
        errors.Range(options.BackoffSeconds, nameof(NotificationOptions.BackoffSeconds), 0.01, 3600);
        errors.Range(options.TimeoutSeconds, nameof(NotificationOptions.TimeoutSeconds), 0.1, 300);
        return errors.ToResult();
    }
}
