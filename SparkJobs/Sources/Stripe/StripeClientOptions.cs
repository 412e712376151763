namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>How the job talks to the source API.</summary>
public sealed record StripeClientOptions
{
    /// <summary>The API's base address (https://api.stripe.com, or the Sandbox).</summary>
    public required Uri BaseAddress { get; init; }

    public required StripeCredentials Credentials { get; init; }

    /// <summary>Requests a second for every worker together; 0: Stripe's limit for the credentials (live 100, test 25).</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>The share of the limit the job aims at, leaving room for clock and network jitter.</summary>
    public double Headroom { get; init; } = 0.97;

    /// <summary>One request's time limit.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of one request before the source counts as failed.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Retries the whole run may spend; past it the source counts as failed.</summary>
    public int RetryBudget { get; init; } = 2000;

    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Told of every retry: the request, the attempt that failed, why, and the wait before the next.</summary>
    public Action<string, int, string, TimeSpan>? OnRetry { get; init; }

    /// <summary>The rate the job aims at.</summary>
    public double TargetRate => (RequestsPerSecond > 0 ? RequestsPerSecond : Credentials.IsLive ? 100 : 25) * Headroom;
}
