using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Audit;

namespace OpsConsole.Server.Notifications;

/// <summary>
/// Sends events to the configured webhook as JSON POSTs. Every event is first written to the delivery log (so a
/// console restart loses none), then sent; a failed attempt (no answer, or a status other than 2xx) is retried with
/// doubling backoff up to <see cref="NotificationOptions.MaxAttempts"/>, after which the delivery is marked Failed.
/// Payloads carry ids, names, states and reasons, never secrets.
/// </summary>
internal sealed class WebhookNotifier(
    SqliteDatabase database,
    IHttpClientFactory clients,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<WebhookNotifier> logger) : BackgroundService
{
    public const string ClientName = "webhook";

    /// <summary>The longest wait between two attempts, whatever the backoff doubles to.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);
    private readonly SemaphoreSlim _wake = new(0);

    public bool Enabled => options.Value.WebhookUrl is { Length: > 0 } || options.Value.Routes.Count > 0;

    /// <summary>Queues an event for the webhook (nothing happens without one). <paramref name="data"/> is serialized as the payload's <c>data</c>.</summary>
    public Task NotifyAsync(string @event, string subject, object data, CancellationToken cancellationToken = default) =>
        NotifyAsync(@event, subject, data, null, cancellationToken);

    /// <summary>
    /// Queues an event for the named <paramref name="route"/> (null: the webhook; a route that is not configured falls
    /// back to the webhook, with a warning); nothing happens when neither is set.
    /// </summary>
    public async Task NotifyAsync(string @event, string subject, object data, string? route, CancellationToken cancellationToken)
    {
        if (route is not null && !options.Value.Routes.ContainsKey(route))
        {
            logger.LogWarning("Notification {Event} for {Subject} names the route '{Route}', which Notifications:Routes does not configure; it goes to the webhook",
                @event, subject, route);
            route = null;
        }
        if (options.Value.UrlFor(route) is null)
        {
            return;
        }
        var now = time.GetUtcNow();
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO webhook_deliveries (event, subject, payload, created_at, status, next_attempt_at, route)
                VALUES ($event, $subject, $payload, $now, 'Pending', $now, $route)
                """;
            command.Parameters.AddWithValue("$route", (object?)route ?? DBNull.Value);
            command.Parameters.AddWithValue("$event", @event);
            command.Parameters.AddWithValue("$subject", subject);
            command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(data, JsonSerializerOptions.Web));
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException exception)
        {
            throw database.Unavailable(exception);
        }
        _wake.Release();
    }

    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, event, subject, created_at, attempts, status, last_status, last_error, delivered_at, route
            FROM webhook_deliveries ORDER BY id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var deliveries = new List<WebhookDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(new WebhookDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetInt32(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)), reader.IsDBNull(9) ? null : reader.GetString(9)));
        }
        return deliveries;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }
        // Only scheme, host and port: a webhook URL may carry credentials in its user part, path or query.
        foreach (var (route, target) in options.Value.Routes.Select(r => ((string?)r.Key, r.Value)).Prepend((null, options.Value.WebhookUrl ?? "")).Where(r => r.Item2.Length > 0))
        {
            var url = new Uri(target);
            logger.LogInformation("Notifications{Route} go to the webhook at {Host}", route is null ? "" : $" of route {route}", $"{url.Scheme}://{url.Host}:{url.Port}");
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? next;
            try
            {
                next = await DeliverDueAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Webhook deliveries could not be read; trying again shortly");
                next = TimeSpan.FromSeconds(5);
            }
            try
            {
                await _wake.WaitAsync(next ?? Timeout.InfiniteTimeSpan, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>Sends every delivery that is due; returns how long until the next one is.</summary>
    private async Task<TimeSpan?> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = new List<(long Id, string Event, string Subject, string Payload, long Created, int Attempts, string? Route)>();
        long? nextAt = null;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, event, subject, payload, created_at, attempts, next_attempt_at, route FROM webhook_deliveries WHERE status = 'Pending' ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var at = reader.GetInt64(6);
                if (at <= now)
                {
                    due.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt32(5),
                        reader.IsDBNull(7) ? null : reader.GetString(7)));
                }
                else
                {
                    nextAt = Math.Min(nextAt ?? long.MaxValue, at);
                }
            }
        }

        foreach (var delivery in due)
        {
            var (status, error) = await SendAsync(delivery.Id, delivery.Event, delivery.Subject, delivery.Payload, delivery.Created, delivery.Attempts + 1,
                delivery.Route, cancellationToken);
            var attempts = delivery.Attempts + 1;
            var delivered = status is >= 200 and < 300;
            var outcome = delivered ? "Delivered" : attempts >= settings.MaxAttempts ? "Failed" : "Pending";
            var retryAt = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, settings.BackoffSeconds * Math.Pow(2, Math.Min(attempts - 1, 30))));
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE webhook_deliveries SET attempts = $attempts, status = $status, last_status = $code, last_error = $error,
                    next_attempt_at = $next, delivered_at = $delivered WHERE id = $id
                """;
            command.Parameters.AddWithValue("$attempts", attempts);
            command.Parameters.AddWithValue("$status", outcome);
            command.Parameters.AddWithValue("$code", (object?)status ?? DBNull.Value);
            command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
            command.Parameters.AddWithValue("$next", retryAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$delivered", delivered ? time.GetUtcNow().ToUnixTimeMilliseconds() : DBNull.Value);
            command.Parameters.AddWithValue("$id", delivery.Id);
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (outcome == "Pending")
            {
                nextAt = Math.Min(nextAt ?? long.MaxValue, retryAt.ToUnixTimeMilliseconds());
            }
            else if (outcome == "Failed")
            {
                logger.LogWarning("Webhook delivery {Id} ({Event}) failed after {Attempts} attempts: {Error}", delivery.Id, delivery.Event, attempts, error);
            }
        }
        return nextAt is { } n ? TimeSpan.FromMilliseconds(Math.Max(0, n - time.GetUtcNow().ToUnixTimeMilliseconds())) : null;
    }

    private async Task<(int? Status, string? Error)> SendAsync(long id, string @event, string subject, string payload, long created, int attempt, string? route,
        CancellationToken cancellationToken)
    {
        if (options.Value.UrlFor(route) is not { } target)
        {
            return (null, route is null ? "no webhook is configured" : $"route '{route}' is not configured");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        try
        {
            using var body = JsonDocument.Parse(payload);
            using var response = await clients.CreateClient(ClientName).PostAsJsonAsync(target, new
            {
                id = id.ToString(CultureInfo.InvariantCulture),
                @event,
                subject,
                at = DateTimeOffset.FromUnixTimeMilliseconds(created),
                attempt,
                data = body.RootElement,
            }, timeout.Token);
            return ((int)response.StatusCode, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or JsonException or NotSupportedException)
        {
            return (null, exception.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {options.Value.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
    }
}
