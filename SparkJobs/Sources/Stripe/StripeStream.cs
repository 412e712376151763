namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>A Stripe object type the job reads: its list path and the event types that change it.</summary>
public sealed record StripeStream(string Name, string Path, string ObjectName, IReadOnlyList<string> ChangeEvents)
{
    public static StripeStream Charges { get; } = new("charges", "/v1/charges", "charge", ["charge.refunded", "charge.updated", "charge.succeeded", "charge.failed", "charge.captured"]);

    public static StripeStream Customers { get; } = new("customers", "/v1/customers", "customer", ["customer.updated"]);

    public static StripeStream Refunds { get; } = new("refunds", "/v1/refunds", "refund", ["refund.updated"]);

    public static StripeStream Events { get; } = new("events", "/v1/events", "event", []);

    public static IReadOnlyList<StripeStream> Ingestible { get; } = [Charges, Customers, Refunds];

    /// <summary>The stream called <paramref name="name"/>, or null.</summary>
    public static StripeStream? Find(string name) =>
        Ingestible.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
