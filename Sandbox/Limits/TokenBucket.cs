using System.Diagnostics;

namespace OpsConsole.Sandbox.Limits;

/// <summary>A token bucket: <c>rate</c> tokens a second, holding one second's worth (at least one token).</summary>
public sealed class TokenBucket(double ratePerSecond)
{
    private readonly Lock _lock = new();
    private readonly double _rate = ratePerSecond;
    private readonly double _capacity = Math.Max(1, ratePerSecond);
    private double _tokens = Math.Max(1, ratePerSecond);
    private long _last = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + (Stopwatch.GetElapsedTime(_last, now).TotalSeconds * _rate));
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
