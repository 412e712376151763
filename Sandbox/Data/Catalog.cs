namespace OpsConsole.Sandbox.Data;

/// <summary>The fixed vocabularies generated objects draw from, with the weights that make them look like real traffic.</summary>
public static class Catalog
{
    /// <summary>Currency codes; amounts of zero-decimal currencies (JPY) are whole units.</summary>
    public static readonly string[] Currencies = ["usd", "eur", "gbp", "cad", "aud", "jpy", "chf", "sek"];

    public static readonly double[] CurrencyWeights = Cumulative([60, 15, 10, 5, 4, 3, 2, 1]);

    public static readonly bool[] ZeroDecimal = [false, false, false, false, false, true, false, false];

    /// <summary>Succeeded, pending, failed.</summary>
    public static readonly double[] StatusWeights = Cumulative([92, 2, 6]);

    public static readonly string[] FailureCodes = ["", "card_declined", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error"];

    public static readonly string[] FailureMessages =
    [
        "",
        "Your card was declined.",
        "Your card has insufficient funds.",
        "Your card has expired.",
        "Your card's security code is incorrect.",
        "An error occurred while processing your card. Try again in a little bit.",
    ];

    public static readonly string[] Descriptions =
    [
        "Subscription renewal", "One-time purchase", "Invoice payment", "Annual plan", "Add-on seats",
        "Usage overage", "Gift card", "Marketplace order", "Donation", "Setup fee",
    ];

    public static readonly string[] CardBrands = ["visa", "mastercard", "amex", "discover"];

    public static readonly double[] CardBrandWeights = Cumulative([55, 30, 10, 5]);

    public static readonly string[] Countries = ["US", "GB", "DE", "FR", "CA", "AU", "JP", "CH", "SE", "NL"];

    public static readonly string[] FirstNames =
    [
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "Dennis",
        "Radia", "John", "Katherine", "Tim", "Hedy", "Linus", "Sophie", "Guido", "Anita", "Niklaus",
    ];

    public static readonly string[] LastNames =
    [
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Allen", "Ritchie",
        "Perlman", "Backus", "Johnson", "Berners-Lee", "Lamarr", "Torvalds", "Wilson", "van Rossum", "Borg", "Wirth",
    ];

    public static readonly string[] EventTypeNames =
    [
        "charge.succeeded", "charge.pending", "charge.failed", "charge.refunded", "charge.updated",
        "customer.created", "customer.updated", "refund.created",
    ];

    public static readonly string?[] RefundReasons = [null, "requested_by_customer", "duplicate", "fraudulent"];

    private static double[] Cumulative(double[] weights)
    {
        var sum = 0.0;
        var cumulative = new double[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            cumulative[i] = sum;
        }
        return cumulative;
    }
}
