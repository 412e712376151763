using System.Text.Json;
using OpsConsole.Sandbox.Access;
using OpsConsole.Sandbox.Api;
using OpsConsole.Sandbox.Data;
using OpsConsole.Sandbox.Faults;

namespace OpsConsole.Sandbox.Admin;

/// <summary>
/// Test endpoints under <c>/_sandbox/</c> (only with the <c>Admin</c> option): the clock, request counters, adding
/// and changing objects, fault control and the exact set of objects a window holds (the truth a lake is compared with).
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapSandboxAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/_sandbox");

        admin.MapGet("/clock", (SandboxWorld world) => Results.Json(new { now = world.Clock.UnixNow, manual = world.Clock.IsManual }));
        admin.MapPost("/clock/advance", (long? seconds, SandboxWorld world) => seconds is null or < 0 or > 366L * 86_400
            ? Problem("seconds", "seconds must be between 0 and 31622400.")
            : Results.Json(new { now = world.Clock.Advance(seconds.Value) }));

        admin.MapGet("/stats", (RequestStats stats) => Results.Json(stats.Snapshot(), JsonSerializerOptions.Web));
        admin.MapPost("/stats/reset", (RequestStats stats) =>
        {
            stats.Reset();
            return Results.NoContent();
        });
        admin.MapGet("/size", (SandboxWorld world) =>
        {
            var (charges, customers, refunds, events, bytes) = world.Size();
            return Results.Json(new { charges, customers, refunds, events, row_bytes = bytes });
        });

        admin.MapPost("/charges", (int? count, SandboxWorld world) =>
        {
            if (count is null or < 1 or > 1_000_000)
            {
                return Problem("count", "count must be between 1 and 1000000.");
            }
            var (first, added) = world.AddCharges(count.Value);
            return Results.Json(new { ids = Enumerable.Range(first, added).Select(world.Ids.Charge.Encode) });
        });
        admin.MapPost("/charges/{id}/refund", (string id, int? amount, SandboxWorld world) =>
            Index(world.Ids.Charge, id) is not { } index || index >= world.Size().Charges ? Missing("charge", id)
            : amount is <= 0 ? Problem("amount", "amount must be positive.")
            : world.Refund(index, amount) ? Results.NoContent()
            : Problem("id", $"Charge {id} cannot be refunded (not succeeded and captured, or already fully refunded)."));
        admin.MapPost("/charges/{id}/succeed", (string id, SandboxWorld world) =>
            Index(world.Ids.Charge, id) is not { } index || index >= world.Size().Charges ? Missing("charge", id)
            : world.Succeed(index) ? Results.NoContent()
            : Problem("id", $"Charge {id} is not pending."));
        admin.MapPost("/charges/{id}/update", (string id, SandboxWorld world) =>
        {
            if (Index(world.Ids.Charge, id) is not { } index || index >= world.Size().Charges)
            {
                return Missing("charge", id);
            }
            world.UpdateCharge(index);
            return Results.NoContent();
        });
        admin.MapPost("/customers/{id}/update", (string id, SandboxWorld world) =>
        {
            if (Index(world.Ids.Customer, id) is not { } index || index >= world.Size().Customers)
            {
                return Missing("customer", id);
            }
            world.UpdateCustomer(index);
            return Results.NoContent();
        });

        admin.MapGet("/faults", (FaultInjector faults) => Results.Json(new { settings = faults.Settings, scheduled = faults.Scheduled }, JsonSerializerOptions.Web));
        admin.MapPut("/faults", (FaultSettings settings, FaultInjector faults) =>
        {
            if (settings.Problem() is { } problem)
            {
                return Problem("settings", problem);
            }
            faults.Update(settings);
            return Results.NoContent();
        });
        admin.MapPost("/faults/next", (string? kind, int? count, string? path, FaultInjector faults) =>
        {
            if (!Enum.TryParse<FaultKind>(kind, ignoreCase: true, out var parsed) || parsed == FaultKind.None)
            {
                return Problem("kind", $"kind must be one of {string.Join(", ", Enum.GetNames<FaultKind>().Skip(1))}.");
            }
            if (count is null or < 1 or > 100_000)
            {
                return Problem("count", "count must be between 1 and 100000.");
            }
            faults.Schedule(parsed, count.Value, path ?? "/v1/");
            return Results.NoContent();
        });
        admin.MapDelete("/faults/next", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });
        admin.MapPost("/tokens/expire", (AccessControl access) => Results.Json(new { expired = access.ExpireAll() }));

        admin.MapGet("/truth/{stream}", TruthAsync);
        return app;
    }

    /// <summary>
    /// Every object of a stream created in [<c>created[gte]</c>, <c>created[lt]</c>) as the source holds it now
    /// (ids, created, version and the fields updates change), oldest first, ignoring visibility lag and faults.
    /// </summary>
    private static async Task TruthAsync(string stream, HttpContext context, SandboxWorld world, StripeApi api)
    {
        var query = context.Request.Query;
        var from = long.TryParse(query["created[gte]"], out var gte) ? gte : long.MinValue;
        var to = long.TryParse(query["created[lt]"], out var lt) ? lt : long.MaxValue;
        if (stream is not ("charges" or "customers" or "refunds" or "events"))
        {
            await Problem("stream", "stream must be charges, customers, refunds or events.").ExecuteAsync(context);
            return;
        }

        var rows = world.Read((w, now) => stream switch
        {
            "charges" => Slice(w.Charges, from, to).Select(i => (object)(i, w.Charges[i])).ToList(),
            "customers" => Slice(w.Customers, from, to).Select(i => (object)(i, w.Customers[i])).ToList(),
            "refunds" => Slice(w.Refunds, from, to).Select(i => (object)(i, w.Refunds[i])).ToList(),
            _ => Slice(w.Events, Math.Max(from, now - SandboxWorld.EventRetentionSeconds), to).Select(i => (object)(i, w.Events[i])).ToList(),
        });

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, StripeJson.WriterOptions);
        json.WriteStartObject();
        json.WriteString("stream", stream);
        json.WriteNumber("count", rows.Count);
        json.WriteStartArray("objects");
        foreach (var row in rows)
        {
            json.WriteStartObject();
            switch (row)
            {
                case (int i, ChargeRow c):
                    json.WriteString("id", world.Ids.Charge.Encode(i));
                    json.WriteNumber("created", c.Created);
                    json.WriteNumber("version", c.Version);
                    json.WriteNumber("amount", c.Amount);
                    json.WriteNumber("amount_refunded", c.AmountRefunded);
                    json.WriteBoolean("refunded", c.AmountRefunded > 0 && c.AmountRefunded >= c.Amount);
                    json.WriteString("status", c.Status.ToString().ToLowerInvariant());
                    json.WriteNumber("metadata_revision", c.MetadataVersion);
                    json.WriteString("bad_data", api.Json.BadDataFor(1, i).ToString());
                    break;
                case (int i, CustomerRow c):
                    json.WriteString("id", world.Ids.Customer.Encode(i));
                    json.WriteNumber("created", c.Created);
                    json.WriteNumber("version", c.Version);
                    json.WriteString("email", api.Json.CustomerEmail(i, c.EmailVersion));
                    json.WriteString("bad_data", api.Json.BadDataFor(2, i).ToString());
                    break;
                case (int i, RefundRow r):
                    json.WriteString("id", world.Ids.Refund.Encode(i));
                    json.WriteNumber("created", r.Created);
                    json.WriteNumber("version", 0);
                    json.WriteString("charge", world.Ids.Charge.Encode(r.Charge));
                    json.WriteNumber("amount", r.Amount);
                    json.WriteString("bad_data", api.Json.BadDataFor(3, i).ToString());
                    break;
                case (int i, EventRow e):
                    json.WriteString("id", world.Ids.Event.Encode(i));
                    json.WriteNumber("created", e.Created);
                    json.WriteString("type", Catalog.EventTypeNames[(int)e.Type]);
                    break;
            }
            json.WriteEndObject();
            if (json.BytesPending > 32 * 1024)
            {
                await json.FlushAsync(context.RequestAborted);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static IEnumerable<int> Slice<T>(RowList<T> rows, long from, long to)
        where T : struct
    {
        var low = from == long.MinValue ? 0 : rows.FirstAtOrAfter(from);
        var high = to == long.MaxValue ? rows.Count : rows.FirstAtOrAfter(to);
        return Enumerable.Range(low, Math.Max(0, high - low));
    }

    private static int? Index(ObjectIds ids, string id) => ids.Decode(id) is var i and >= 0 ? i : null;

    private static IResult Missing(string objectName, string id) =>
        Results.Text(System.Text.Encoding.UTF8.GetString(StripeError.Missing(objectName, id).ToJson()), "application/json", statusCode: 404);

    private static IResult Problem(string field, string message) =>
        Results.Json(new { error = new { param = field, message } }, statusCode: 400);
}
