using System.Collections.Concurrent;

namespace OpsConsole.Sandbox.Admin;

/// <summary>Request counters per endpoint and credential, for tests that assert on what the client did.</summary>
public sealed class RequestStats
{
    private readonly ConcurrentDictionary<(string Endpoint, string Credential), Counters> _counters = new();

    public void Record(string endpoint, string credential, int status, bool fault)
    {
        var counters = _counters.GetOrAdd((endpoint, credential), _ => new Counters());
        Interlocked.Increment(ref counters.Requests);
        switch (status)
        {
            case 429:
                Interlocked.Increment(ref counters.RateLimited);
                break;
            case >= 500:
                Interlocked.Increment(ref counters.ServerErrors);
                break;
            case >= 400:
                Interlocked.Increment(ref counters.ClientErrors);
                break;
            default:
                Interlocked.Increment(ref counters.Ok);
                break;
        }
        if (fault)
        {
            Interlocked.Increment(ref counters.Faults);
        }
    }

    public void Reset() => _counters.Clear();

    public IReadOnlyList<StatsEntry> Snapshot() =>
        [.. _counters.OrderBy(c => c.Key.Endpoint, StringComparer.Ordinal).ThenBy(c => c.Key.Credential, StringComparer.Ordinal)
            .Select(c => new StatsEntry(c.Key.Endpoint, c.Key.Credential, c.Value.Requests, c.Value.Ok, c.Value.ClientErrors,
                c.Value.RateLimited, c.Value.ServerErrors, c.Value.Faults))];

    private sealed class Counters
    {
        public long Requests;
        public long Ok;
        public long ClientErrors;
        public long RateLimited;
        public long ServerErrors;
        public long Faults;
    }
}

/// <summary>One row of <c>GET /_sandbox/stats</c>. <see cref="Faults"/> counts injected faults, including connection-level ones.</summary>
public sealed record StatsEntry(string Endpoint, string Credential, long Requests, long Ok, long ClientErrors, long RateLimited, long ServerErrors, long Faults);
