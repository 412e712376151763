using System.Collections.Concurrent;
using OpsConsole.Sandbox.Access;
using OpsConsole.Sandbox.Api;
using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox.Limits;

/// <summary>
/// Stripe's limits: a token bucket per account and mode, which every key of that mode shares (live 100/s,
/// test 25/s by default), optionally one per mode and endpoint, and optionally a cap on requests in flight per credential. Over a limit: 429 with
/// <c>Stripe-Rate-Limited-Reason</c> (<c>global-rate</c>, <c>endpoint-rate</c>, <c>global-concurrency</c>).
/// </summary>
public sealed class RateLimiter(SandboxOptions options)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Takes a token for the request or throws the 429; the returned lease ends the request's concurrency slot.</summary>
    public IDisposable Admit(Credential credential, string endpoint)
    {
        var rate = credential.Live ? options.LiveRatePerSecond : options.TestRatePerSecond;
        var account = credential.Live ? "live" : "test";
        if (rate > 0 && !_buckets.GetOrAdd(account, _ => new TokenBucket(rate)).TryTake())
        {
            throw Limited("global-rate");
        }
        if (options.EndpointRatePerSecond > 0 &&
            !_buckets.GetOrAdd($"{account} {endpoint}", _ => new TokenBucket(options.EndpointRatePerSecond)).TryTake())
        {
            throw Limited("endpoint-rate");
        }
        if (options.MaxConcurrentPerKey <= 0)
        {
            return NoLease.Instance;
        }
        var counter = _inFlight.GetOrAdd(credential.Label, _ => new StrongBox());
        if (Interlocked.Increment(ref counter.Value) > options.MaxConcurrentPerKey)
        {
            Interlocked.Decrement(ref counter.Value);
            throw Limited("global-concurrency");
        }
        return new Lease(counter);
    }

    public static StripeErrorException Limited(string reason) => new(StripeError.RateLimited() with { Code = "rate_limit", Param = null })
    {
        Data = { [ReasonKey] = reason },
    };

    public const string ReasonKey = "Stripe-Rate-Limited-Reason";

    private sealed class StrongBox
    {
        public int Value;
    }

    private sealed class Lease(StrongBox counter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref counter.Value);
            }
        }
    }

    private sealed class NoLease : IDisposable
    {
        public static NoLease Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
