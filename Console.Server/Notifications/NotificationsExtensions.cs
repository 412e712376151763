using OpsConsole.Server.Configuration;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Notifications;

public static class NotificationsExtensions
{
    /// <summary>Webhook notifications with retries and a delivery log, and what runs tell them.</summary>
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<NotificationOptions, NotificationOptionsValidator>(NotificationOptions.Section);
        services.AddHttpClient(WebhookNotifier.ClientName);
        services.AddSingleton<WebhookNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        services.AddSingleton<IRunObserver, RunNotifications>();
        return builder;
    }

    /// <summary><c>GET /api/notifications/deliveries</c> (admins).</summary>
    public static WebApplication MapNotificationsApi(this WebApplication app)
    {
        app.MapGet("/api/notifications/deliveries", async (WebhookNotifier notifier, CancellationToken cancellationToken, int limit = 200) =>
                (IResult?)Api.ApiLimit.Invalid(limit, 1000) ?? TypedResults.Ok(await notifier.DeliveriesAsync(limit, cancellationToken)))
            .RequireAuthorization(ConsolePolicies.Admin).WithTags("Notifications")
            .WithSummary("The webhook's delivery log, newest first (`limit` 1 to 1000, default 200): event, subject, attempts, status, the last HTTP status or error.");
        return app;
    }
}
