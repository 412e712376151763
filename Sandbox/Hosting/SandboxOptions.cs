namespace OpsConsole.Sandbox.Hosting;

/// <summary>
/// Every setting of the Sandbox. Standalone, each is a command-line option of the same name in kebab case
/// (<c>--arrivals-per-second 5</c>) or PascalCase (<c>--ArrivalsPerSecond 5</c>); see Sandbox/README.md.
/// </summary>
public sealed class SandboxOptions
{
    // Data
    public ulong Seed { get; set; } = 42;

    public int Charges { get; set; } = 10_000;

    /// <summary>0: one customer per ten charges.</summary>
    public int Customers { get; set; }

    /// <summary>The initial data spans this many days before the start time.</summary>
    public int Days { get; set; } = 90;

    public double ArrivalsPerSecond { get; set; } = 1;

    public double UpdatesPerSecond { get; set; } = 0.2;

    /// <summary>Lists hide objects created in the last N seconds (Stripe's visibility lag at window edges).</summary>
    public int VisibilityLagSeconds { get; set; }

    /// <summary>Unix seconds the clock starts at; 0: now.</summary>
    public long StartTime { get; set; }

    /// <summary>The clock stands still unless advanced through the admin endpoints.</summary>
    public bool ManualClock { get; set; }

    // Access
    public string TestKeys { get; set; } = "sk_test_sandbox";

    public string LiveKeys { get; set; } = "sk_live_sandbox";

    public string OAuthClientId { get; set; } = "sandbox-client";

    public string OAuthClientSecret { get; set; } = "sandbox-secret";

    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>The rate limit OAuth tokens get: <c>live</c> or <c>test</c>.</summary>
    public string OAuthMode { get; set; } = "live";

    // Limits
    public double LiveRatePerSecond { get; set; } = 100;

    public double TestRatePerSecond { get; set; } = 25;

    /// <summary>Per key and endpoint (Stripe's 25/s default for most endpoints); 0: off.</summary>
    public double EndpointRatePerSecond { get; set; }

    /// <summary>Requests in flight per key; 0: unlimited.</summary>
    public int MaxConcurrentPerKey { get; set; }

    public int LatencyMs { get; set; } = 300;

    public int JitterMs { get; set; } = 100;

    // Faults (fractions of requests, 0..1)
    public double ServerErrorRate { get; set; }

    public double HangRate { get; set; }

    public int HangSeconds { get; set; } = 30;

    public double TruncateRate { get; set; }

    public double MalformedRate { get; set; }

    public double ResetRate { get; set; }

    public double TokenExpiryRate { get; set; }

    public double Burst429Rate { get; set; }

    public int Burst429Length { get; set; } = 20;

    /// <summary>Fraction of objects served with bad data (nulls, negative amounts, duplicate ids, unknown fields).</summary>
    public double BadDataRate { get; set; }

    // Admin
    /// <summary>Serves the test endpoints under <c>/_sandbox/</c> (clock, stats, truth, faults). Off by default.</summary>
    public bool Admin { get; set; }

    public int EffectiveCustomers => Customers > 0 ? Customers : Math.Max(1, Charges / 10);

    public IEnumerable<string> TestKeyList => Split(TestKeys);

    public IEnumerable<string> LiveKeyList => Split(LiveKeys);

    private static string[] Split(string keys) =>
        keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
