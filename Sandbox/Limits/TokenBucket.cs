using System.Diagnostics;

namespace OpsConsole.Sandbox.Limits;

/// <summary>A token bucket: <c>rate</c> tokens a second, holding at most one second's worth (Stripe's per-second limits).</summary>
public sealed class TokenBucket(double ratePerSecond)
{
    private readonly Lock _lock = new();
    private readonly double _rate = ratePerSecond;
    private double _tokens = ratePerSecond;
    private long _last = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_rate, _tokens + (Stopwatch.GetElapsedTime(_last, now).TotalSeconds * _rate));
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }
            _tokens -= 1;
            return true;
        }
    }
}
