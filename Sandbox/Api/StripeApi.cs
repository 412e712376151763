using System.Buffers;
using System.Text.Json;
using OpsConsole.Sandbox.Data;
using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox.Api;

/// <summary>The list and retrieve operations of <c>/v1</c>, rendering Stripe's JSON into a buffer.</summary>
public sealed class StripeApi(SandboxWorld world, SandboxOptions options)
{
    private readonly StripeJson _json = new(world.Ids, options.Seed, options.BadDataRate);

    public StripeJson Json => _json;

    public byte[] ListCharges(ListQuery query, bool livemode)
    {
        var (rows, hasMore) = world.Read((w, now) =>
        {
            var (low, high) = Window(w.Charges, query, now - options.VisibilityLagSeconds);
            Func<int, bool>? match = null;
            if (query.Filter("customer") is { } customerId)
            {
                var customer = w.Ids.Customer.Decode(customerId);
                match = i => w.Charges[i].Customer == customer && customer >= 0;
            }
            if (query.Filter("payment_intent") is { } intentId)
            {
                // A charge's payment intent encodes the charge's own index.
                var charge = w.Ids.PaymentIntent.Decode(intentId);
                (low, high) = charge >= low && charge < high ? (charge, charge + 1) : (low, low);
            }
            if (query.Filter("transfer_group") is not null)
            {
                // No generated charge belongs to a transfer group.
                high = low;
            }
            var (page, more) = Paging.Page(low, high, Cursor(w.Ids.Charge, query.StartingAfter, w.Charges.Count, "charge", "starting_after"),
                Cursor(w.Ids.Charge, query.EndingBefore, w.Charges.Count, "charge", "ending_before"), query.Limit, match);
            return (page.Select(i => (i, w.Charges[i])).ToList(), more);
        });
        return Render("/v1/charges", hasMore, json =>
        {
            foreach (var (index, row) in rows)
            {
                _json.WriteCharge(json, index, row, livemode);
            }
        });
    }

    public byte[] ListCustomers(ListQuery query, bool livemode)
    {
        var (rows, hasMore) = world.Read((w, now) =>
        {
            var (low, high) = Window(w.Customers, query, now - options.VisibilityLagSeconds);
            Func<int, bool>? match = query.Filter("email") is { } email
                ? i => string.Equals(_json.CustomerEmail(i, w.Customers[i].EmailVersion), email, StringComparison.OrdinalIgnoreCase)
                : null;
            var (page, more) = Paging.Page(low, high, Cursor(w.Ids.Customer, query.StartingAfter, w.Customers.Count, "customer", "starting_after"),
                Cursor(w.Ids.Customer, query.EndingBefore, w.Customers.Count, "customer", "ending_before"), query.Limit, match);
            return (page.Select(i => (i, w.Customers[i])).ToList(), more);
        });
        return Render("/v1/customers", hasMore, json =>
        {
            foreach (var (index, row) in rows)
            {
                _json.WriteCustomer(json, index, row, livemode);
            }
        });
    }

    public byte[] ListRefunds(ListQuery query, bool livemode)
    {
        var (rows, hasMore) = world.Read((w, now) =>
        {
            var (low, high) = Window(w.Refunds, query, now - options.VisibilityLagSeconds);
            Func<int, bool>? match = null;
            if ((query.Filter("charge") ?? query.Filter("payment_intent")) is { } parent)
            {
                var charge = query.Filter("charge") is not null ? w.Ids.Charge.Decode(parent) : w.Ids.PaymentIntent.Decode(parent);
                match = i => w.Refunds[i].Charge == charge && charge >= 0;
            }
            var (page, more) = Paging.Page(low, high, Cursor(w.Ids.Refund, query.StartingAfter, w.Refunds.Count, "refund", "starting_after"),
                Cursor(w.Ids.Refund, query.EndingBefore, w.Refunds.Count, "refund", "ending_before"), query.Limit, match);
            return (page.Select(i => (i, w.Refunds[i], w.Charges[w.Refunds[i].Charge])).ToList(), more);
        });
        return Render("/v1/refunds", hasMore, json =>
        {
            foreach (var (index, row, charge) in rows)
            {
                _json.WriteRefund(json, index, row, charge, livemode);
            }
        });
    }

    public byte[] ListEvents(ListQuery query, bool livemode)
    {
        var (rows, hasMore) = world.Read((w, now) =>
        {
            var (low, high) = Window(w.Events, query, now - options.VisibilityLagSeconds);
            low = Math.Max(low, w.Events.FirstAtOrAfter(now - SandboxWorld.EventRetentionSeconds));
            if (query.DeliverySuccess == false)
            {
                // The Sandbox sends no webhooks, so no event ever failed delivery.
                high = low;
            }
            var mask = query.FiltersType ? query.TypeMask(Catalog.EventTypeNames) : null;
            Func<int, bool>? match = mask is null ? null : i => mask[(int)w.Events[i].Type];
            var (page, more) = Paging.Page(low, high, Cursor(w.Ids.Event, query.StartingAfter, w.Events.Count, "event", "starting_after"),
                Cursor(w.Ids.Event, query.EndingBefore, w.Events.Count, "event", "ending_before"), query.Limit, match);
            return (page.Select(i => (i, View(w, i))).ToList(), more);
        });
        return Render("/v1/events", hasMore, json =>
        {
            foreach (var (index, view) in rows)
            {
                _json.WriteEvent(json, index, view, livemode);
            }
        });
    }

    public byte[] RetrieveCharge(string id, bool livemode)
    {
        var (index, row) = world.Read((w, _) =>
        {
            var i = Existing(w.Ids.Charge, id, w.Charges.Count, "charge");
            return (i, w.Charges[i]);
        });
        return RenderObject(json => _json.WriteCharge(json, index, row, livemode));
    }

    public byte[] RetrieveCustomer(string id, bool livemode)
    {
        var (index, row) = world.Read((w, _) =>
        {
            var i = Existing(w.Ids.Customer, id, w.Customers.Count, "customer");
            return (i, w.Customers[i]);
        });
        return RenderObject(json => _json.WriteCustomer(json, index, row, livemode));
    }

    public byte[] RetrieveRefund(string id, bool livemode)
    {
        var (index, row, charge) = world.Read((w, _) =>
        {
            var i = Existing(w.Ids.Refund, id, w.Refunds.Count, "refund");
            return (i, w.Refunds[i], w.Charges[w.Refunds[i].Charge]);
        });
        return RenderObject(json => _json.WriteRefund(json, index, row, charge, livemode));
    }

    public byte[] RetrieveEvent(string id, bool livemode)
    {
        var (index, view) = world.Read((w, now) =>
        {
            var i = Existing(w.Ids.Event, id, w.Events.Count, "event");
            if (w.Events[i].Created < now - SandboxWorld.EventRetentionSeconds)
            {
                throw new StripeErrorException(StripeError.Missing("event", id));
            }
            return (i, View(w, i));
        });
        return RenderObject(json => _json.WriteEvent(json, index, view, livemode));
    }

    private static EventView View(SandboxWorld w, int index)
    {
        var e = w.Events[index];
        return e.Type switch
        {
            EventType.CustomerCreated or EventType.CustomerUpdated => new EventView(e, default, w.Customers[e.Target], default),
            EventType.RefundCreated => new EventView(e, w.Charges[w.Refunds[e.Target].Charge], default, w.Refunds[e.Target]),
            _ => new EventView(e, w.Charges[e.Target], default, default),
        };
    }

    /// <summary>Indices [low, high) of rows created inside the query's window and visible at <paramref name="visibleUntil"/>.</summary>
    private static (int Low, int High) Window<T>(RowList<T> rows, ListQuery query, long visibleUntil)
        where T : struct
    {
        var low = query.CreatedFrom == long.MinValue ? 0 : rows.FirstAtOrAfter(query.CreatedFrom);
        var top = Math.Min(query.CreatedTo, visibleUntil);
        var high = top == long.MaxValue ? rows.Count : rows.FirstAtOrAfter(top + 1);
        return (low, Math.Max(low, high));
    }

    private static int? Cursor(ObjectIds ids, string? id, int count, string objectName, string param)
    {
        if (id is null)
        {
            return null;
        }
        var index = ids.Decode(id);
        return index >= 0 && index < count ? index : throw new StripeErrorException(StripeError.Missing(objectName, id, param));
    }

    private static int Existing(ObjectIds ids, string id, int count, string objectName)
    {
        var index = ids.Decode(id);
        return index >= 0 && index < count ? index : throw new StripeErrorException(StripeError.Missing(objectName, id));
    }

    private static byte[] Render(string url, bool hasMore, Action<Utf8JsonWriter> writeData)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer, StripeJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            writeData(json);
            json.WriteEndArray();
            json.WriteBoolean("has_more", hasMore);
            json.WriteString("url", url);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] RenderObject(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer, StripeJson.WriterOptions))
        {
            write(json);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
