using System.Globalization;
using System.Text.Json;
using OpsConsole.Sandbox.Data;

namespace OpsConsole.Sandbox.Api;

/// <summary>
/// Renders rows as Stripe's JSON: every field of the reference's charge, customer, refund and event objects,
/// derived from the row, its index and the seed. <see cref="BadData"/> corrupts a fixed set of objects on purpose.
/// </summary>
public sealed class StripeJson(SandboxIds ids, ulong seed, double badDataRate)
{
    public const string ApiVersion = "2025-03-31.basil";

    /// <summary>Plain characters as Stripe writes them ("+" and "'" unescaped); JSON's own escapes still apply.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>How an object is corrupted when bad data is on.</summary>
    public enum BadData
    {
        None,
        NullCurrency,
        NegativeAmount,
        DuplicateId,
        UnknownField,
    }

    public BadData BadDataFor(ulong kind, int index)
    {
        if (badDataRate <= 0)
        {
            return BadData.None;
        }
        var hash = SplitMix.Hash(seed, 0xBAD0 + kind, (ulong)index);
        return (hash >> 11) * (1.0 / (1UL << 53)) < badDataRate ? (BadData)(1 + (int)(hash % 4)) : BadData.None;
    }

    public void WriteCharge(Utf8JsonWriter json, int index, in ChargeRow row, bool livemode)
    {
        var bad = BadDataFor(1, index);
        var refunded = row.AmountRefunded;
        var succeeded = row.Status == ChargeStatus.Succeeded;
        var captured = row.Captured;
        var currency = Catalog.Currencies[row.Currency];
        var rng = new SplitMix(SplitMix.Hash(seed, 0xC4A, (ulong)index));

        json.WriteStartObject();
        json.WriteString("id", ids.Charge.Encode(bad == BadData.DuplicateId ? index + 1 : index));
        json.WriteString("object", "charge");
        json.WriteNumber("amount", bad == BadData.NegativeAmount ? -row.Amount : row.Amount);
        json.WriteNumber("amount_captured", captured ? row.Amount : 0);
        json.WriteNumber("amount_refunded", refunded);
        json.WriteNull("application");
        json.WriteNull("application_fee");
        json.WriteNull("application_fee_amount");
        WriteIdOrNull(json, "balance_transaction", succeeded && captured ? ids.ChargeTransaction.Encode(index) : null);
        json.WriteStartObject("billing_details");
        json.WriteNull("address");
        json.WriteNull("email");
        json.WriteNull("name");
        json.WriteNull("phone");
        json.WriteEndObject();
        json.WriteString("calculated_statement_descriptor", "OPSCONSOLE SANDBOX");
        json.WriteBoolean("captured", captured);
        json.WriteNumber("created", row.Created);
        if (bad == BadData.NullCurrency)
        {
            json.WriteNull("currency");
        }
        else
        {
            json.WriteString("currency", currency);
        }
        WriteIdOrNull(json, "customer", row.Customer >= 0 ? ids.Customer.Encode(row.Customer) : null);
        json.WriteString("description", Catalog.Descriptions[row.Description]);
        json.WriteBoolean("disputed", false);
        json.WriteNull("failure_balance_transaction");
        WriteIdOrNull(json, "failure_code", row.FailureCode > 0 ? Catalog.FailureCodes[row.FailureCode] : null);
        WriteIdOrNull(json, "failure_message", row.FailureCode > 0 ? Catalog.FailureMessages[row.FailureCode] : null);
        json.WriteStartObject("fraud_details");
        json.WriteEndObject();
        json.WriteBoolean("livemode", livemode);
        json.WriteStartObject("metadata");
        json.WriteString("order_id", $"ord_{SplitMix.Hash(seed, 0x0D, (ulong)index) % 100_000_000:D8}");
        if (row.MetadataVersion > 0)
        {
            json.WriteString("revision", row.MetadataVersion.ToString(CultureInfo.InvariantCulture));
        }
        json.WriteEndObject();
        json.WriteNull("on_behalf_of");
        json.WriteStartObject("outcome");
        json.WriteString("network_status", row.Status == ChargeStatus.Failed ? "declined_by_network" : "approved_by_network");
        WriteIdOrNull(json, "reason", row.FailureCode > 0 ? Catalog.FailureCodes[row.FailureCode] : null);
        json.WriteString("risk_level", "normal");
        json.WriteNumber("risk_score", rng.Next(80));
        json.WriteString("seller_message", row.Status == ChargeStatus.Failed ? "The bank did not return any further details with this decline." : "Payment complete.");
        json.WriteString("type", row.Status == ChargeStatus.Failed ? "issuer_declined" : "authorized");
        json.WriteEndObject();
        json.WriteBoolean("paid", succeeded);
        json.WriteString("payment_intent", ids.PaymentIntent.Encode(index));
        json.WriteString("payment_method", ids.PaymentMethod.Encode(index));
        json.WriteStartObject("payment_method_details");
        json.WriteStartObject("card");
        json.WriteString("brand", Catalog.CardBrands[rng.Pick(Catalog.CardBrandWeights)]);
        json.WriteString("country", Catalog.Countries[rng.Next(Catalog.Countries.Length)]);
        json.WriteNumber("exp_month", 1 + rng.Next(12));
        json.WriteNumber("exp_year", 2027 + rng.Next(6));
        json.WriteString("funding", rng.Chance(0.7) ? "credit" : "debit");
        json.WriteString("last4", (1000 + rng.Next(9000)).ToString(CultureInfo.InvariantCulture));
        json.WriteEndObject();
        json.WriteString("type", "card");
        json.WriteEndObject();
        json.WriteNull("receipt_email");
        json.WriteNull("receipt_number");
        json.WriteNull("receipt_url");
        json.WriteBoolean("refunded", refunded > 0 && refunded >= row.Amount);
        json.WriteNull("review");
        json.WriteNull("shipping");
        json.WriteNull("source_transfer");
        json.WriteNull("statement_descriptor");
        json.WriteNull("statement_descriptor_suffix");
        json.WriteString("status", row.Status switch
        {
            ChargeStatus.Succeeded => "succeeded",
            ChargeStatus.Pending => "pending",
            _ => "failed",
        });
        json.WriteNull("transfer_data");
        json.WriteNull("transfer_group");
        if (bad == BadData.UnknownField)
        {
            json.WriteString("x_sandbox_unexpected", "a field the schema does not know");
        }
        json.WriteEndObject();
    }

    public void WriteCustomer(Utf8JsonWriter json, int index, in CustomerRow row, bool livemode)
    {
        var bad = BadDataFor(2, index);
        var (first, last) = CustomerName(index);

        json.WriteStartObject();
        json.WriteString("id", ids.Customer.Encode(bad == BadData.DuplicateId ? index + 1 : index));
        json.WriteString("object", "customer");
        json.WriteNull("address");
        json.WriteNumber("balance", bad == BadData.NegativeAmount ? -100 : 0);
        json.WriteNumber("created", row.Created);
        if (bad == BadData.NullCurrency)
        {
            json.WriteNull("currency");
        }
        else
        {
            json.WriteString("currency", Catalog.Currencies[row.Currency]);
        }
        json.WriteNull("default_source");
        json.WriteBoolean("delinquent", false);
        json.WriteNull("description");
        json.WriteNull("discount");
        json.WriteString("email", CustomerEmail(index, row.EmailVersion));
        json.WriteString("invoice_prefix", $"{SplitMix.Hash(seed, 0x1F, (ulong)index) % 0xFFFFFFFF:X8}");
        json.WriteStartObject("invoice_settings");
        json.WriteNull("custom_fields");
        json.WriteNull("default_payment_method");
        json.WriteNull("footer");
        json.WriteEndObject();
        json.WriteBoolean("livemode", livemode);
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteString("name", $"{first} {last}");
        json.WriteNumber("next_invoice_sequence", 1);
        json.WriteNull("phone");
        json.WriteStartArray("preferred_locales");
        json.WriteEndArray();
        json.WriteNull("shipping");
        json.WriteString("tax_exempt", "none");
        json.WriteNull("test_clock");
        if (bad == BadData.UnknownField)
        {
            json.WriteString("x_sandbox_unexpected", "a field the schema does not know");
        }
        json.WriteEndObject();
    }

    public void WriteRefund(Utf8JsonWriter json, int index, in RefundRow row, in ChargeRow charge, bool livemode)
    {
        var bad = BadDataFor(3, index);
        json.WriteStartObject();
        json.WriteString("id", ids.Refund.Encode(bad == BadData.DuplicateId ? index + 1 : index));
        json.WriteString("object", "refund");
        json.WriteNumber("amount", bad == BadData.NegativeAmount ? -row.Amount : row.Amount);
        json.WriteString("balance_transaction", ids.RefundTransaction.Encode(index));
        json.WriteString("charge", ids.Charge.Encode(row.Charge));
        json.WriteNumber("created", row.Created);
        if (bad == BadData.NullCurrency)
        {
            json.WriteNull("currency");
        }
        else
        {
            json.WriteString("currency", Catalog.Currencies[charge.Currency]);
        }
        json.WriteBoolean("livemode", livemode);
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteString("payment_intent", ids.PaymentIntent.Encode(row.Charge));
        WriteIdOrNull(json, "reason", Catalog.RefundReasons[(int)row.Reason]);
        json.WriteNull("receipt_number");
        json.WriteNull("source_transfer_reversal");
        json.WriteString("status", "succeeded");
        json.WriteNull("transfer_reversal");
        if (bad == BadData.UnknownField)
        {
            json.WriteString("x_sandbox_unexpected", "a field the schema does not know");
        }
        json.WriteEndObject();
    }

    /// <summary>An event with the object as it was right after the change and what it was before.</summary>
    public void WriteEvent(Utf8JsonWriter json, int index, in EventView view, bool livemode)
    {
        var e = view.Event;
        json.WriteStartObject();
        json.WriteString("id", ids.Event.Encode(index));
        json.WriteString("object", "event");
        json.WriteString("api_version", ApiVersion);
        json.WriteNumber("created", e.Created);
        json.WriteStartObject("data");
        json.WritePropertyName("object");
        switch (e.Type)
        {
            case EventType.CustomerCreated or EventType.CustomerUpdated:
                var customer = view.Customer;
                customer.EmailVersion = e.Type == EventType.CustomerCreated ? 0 : e.Version;
                WriteCustomer(json, e.Target, customer, livemode);
                break;
            case EventType.RefundCreated:
                WriteRefund(json, e.Target, view.Refund, view.Charge, livemode);
                break;
            default:
                var charge = view.Charge;
                charge.AmountRefunded = e.AmountRefunded;
                charge.MetadataVersion = e.Version;
                charge.Status = e.Status;
                charge.Captured = e.Captured;
                WriteCharge(json, e.Target, charge, livemode);
                break;
        }
        if (e.Type is EventType.ChargeRefunded or EventType.ChargeUpdated or EventType.CustomerUpdated)
        {
            json.WriteStartObject("previous_attributes");
            switch (e.Type)
            {
                case EventType.ChargeRefunded:
                    json.WriteNumber("amount_refunded", e.PreviousAmountRefunded);
                    json.WriteBoolean("refunded", false);
                    break;
                case EventType.ChargeUpdated:
                    json.WriteStartObject("metadata");
                    if (e.PreviousVersion > 0)
                    {
                        json.WriteString("revision", e.PreviousVersion.ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.WriteNull("revision");
                    }
                    json.WriteEndObject();
                    break;
                default:
                    json.WriteString("email", CustomerEmail(e.Target, e.PreviousVersion));
                    break;
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteBoolean("livemode", livemode);
        json.WriteNumber("pending_webhooks", 0);
        json.WriteStartObject("request");
        json.WriteNull("id");
        json.WriteNull("idempotency_key");
        json.WriteEndObject();
        json.WriteString("type", Catalog.EventTypeNames[(int)e.Type]);
        json.WriteEndObject();
    }

    /// <summary>A customer's email at a given version: each customer.updated changes it.</summary>
    public string CustomerEmail(int index, int version)
    {
        var (first, last) = CustomerName(index);
        var handle = $"{first}.{last.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal)}{index}".ToLowerInvariant();
        return version == 0 ? $"{handle}@example.com" : $"{handle}+v{version}@example.com";
    }

    private (string First, string Last) CustomerName(int index) =>
        (Catalog.FirstNames[(int)(SplitMix.Hash(seed, 0xF1, (ulong)index) % (ulong)Catalog.FirstNames.Length)],
         Catalog.LastNames[(int)(SplitMix.Hash(seed, 0xF2, (ulong)index) % (ulong)Catalog.LastNames.Length)]);

    private static void WriteIdOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}

/// <summary>An event row with copies of the rows its payload renders.</summary>
public readonly record struct EventView(EventRow Event, ChargeRow Charge, CustomerRow Customer, RefundRow Refund);
