using System.Collections.Concurrent;
using OpsConsole.Sandbox.Data;
using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox.Faults;

/// <summary>
/// Decides each request's fault: first any scheduled ones (<c>POST /_sandbox/faults/next</c>: "the next 3
/// requests to /v1/charges get a 500"), then by the configured rates, drawn from a generator seeded with the
/// Sandbox seed, so a sequential client sees the same faults on every run.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly SplitMix _rng;
    private readonly List<ScheduledFault> _scheduled = [];
    private readonly ConcurrentDictionary<string, int> _bursts = new(StringComparer.Ordinal);

    public FaultInjector(SandboxOptions options)
    {
        _rng = new SplitMix(SplitMix.Hash(options.Seed, 0xFA017));
        Settings = new FaultSettings(options.ServerErrorRate, options.HangRate, options.TruncateRate, options.MalformedRate,
            options.ResetRate, options.TokenExpiryRate, options.Burst429Rate, options.Burst429Length, options.HangSeconds);
    }

    public FaultSettings Settings { get; private set; }

    public void Update(FaultSettings settings)
    {
        lock (_lock)
        {
            Settings = settings;
        }
    }

    /// <summary>Makes the next <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> fail with <paramref name="kind"/>.</summary>
    public void Schedule(FaultKind kind, int count, string pathPrefix)
    {
        lock (_lock)
        {
            _scheduled.Add(new ScheduledFault(kind, count, pathPrefix));
        }
    }

    public IReadOnlyList<ScheduledFault> Scheduled
    {
        get
        {
            lock (_lock)
            {
                return [.. _scheduled];
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _scheduled.Clear();
            _bursts.Clear();
        }
    }

    /// <summary>
    /// The fault for one request by <paramref name="credential"/> to <paramref name="path"/>. Token expiry only
    /// happens to callers with an OAuth token (<paramref name="hasToken"/>); for others it is no fault, and a
    /// scheduled one waits for a token caller.
    /// </summary>
    public FaultKind Next(string path, string credential, bool hasToken)
    {
        lock (_lock)
        {
            for (var i = 0; i < _scheduled.Count; i++)
            {
                var fault = _scheduled[i];
                if (path.StartsWith(fault.PathPrefix, StringComparison.Ordinal) && (hasToken || fault.Kind != FaultKind.TokenExpiry))
                {
                    _scheduled[i] = fault with { Count = fault.Count - 1 };
                    if (fault.Count <= 1)
                    {
                        _scheduled.RemoveAt(i);
                    }
                    return fault.Kind;
                }
            }

            if (_bursts.TryGetValue(credential, out var left) && left > 0)
            {
                _bursts[credential] = left - 1;
                return FaultKind.Burst429;
            }

            var x = _rng.NextDouble();
            foreach (var (kind, rate) in Settings.Rates)
            {
                if (x < rate)
                {
                    if (kind == FaultKind.Burst429)
                    {
                        _bursts[credential] = Settings.Burst429Length - 1;
                    }
                    return kind == FaultKind.TokenExpiry && !hasToken ? FaultKind.None : kind;
                }
                x -= rate;
            }
            return FaultKind.None;
        }
    }

    /// <summary>500, 502 or 503, from the same seeded generator.</summary>
    public int ServerErrorStatus()
    {
        lock (_lock)
        {
            return _rng.Next(3) switch
            {
                0 => 500,
                1 => 502,
                _ => 503,
            };
        }
    }
}

/// <summary>A fault waiting for its next <paramref name="Count"/> matching requests.</summary>
public sealed record ScheduledFault(FaultKind Kind, int Count, string PathPrefix);
