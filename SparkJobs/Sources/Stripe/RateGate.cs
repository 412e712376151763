namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>
/// The one request-rate limiter every worker of a run shares: a token bucket at the target rate with a small
/// burst (a tenth of a second's worth), so the source's own bucket (a full second) never runs dry from jitter.
/// A 429 cuts the rate (multiplicative decrease) for a second; it then climbs back to the target.
/// </summary>
public sealed class RateGate
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _target;
    private readonly double _capacity;
    private double _rate;
    private double _tokens;
    private long _last;
    private long _holdUntil;

    public RateGate(double requestsPerSecond, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        _time = time ?? TimeProvider.System;
        _target = requestsPerSecond;
        _rate = requestsPerSecond;
        _capacity = Math.Max(1, requestsPerSecond / 10);
        _tokens = _capacity;
        _last = _time.GetTimestamp();
    }

    /// <summary>The rate the gate lets through now (below the target after 429s).</summary>
    public double CurrentRate
    {
        get
        {
            lock (_lock)
            {
                Refill();
                return _rate;
            }
        }
    }

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                Refill();
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return;
                }
                wait = TimeSpan.FromSeconds((1 - _tokens) / _rate);
            }
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken);
        }
    }

    /// <summary>
    /// The source said 429: slow down to 70% (not below a fifth of the target), hold a second, drop the burst.
    /// 429s arriving together (several workers) count once per hold.
    /// </summary>
    public void OnRateLimited()
    {
        lock (_lock)
        {
            Refill();
            if (_time.GetTimestamp() < _holdUntil)
            {
                return;
            }
            _rate = Math.Max(_target * 0.2, _rate * 0.7);
            _tokens = Math.Min(_tokens, 0);
            _holdUntil = _time.GetTimestamp() + _time.TimestampFrequency;
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var seconds = (now - _last) / (double)_time.TimestampFrequency;
        _last = now;
        if (_rate < _target && now > _holdUntil)
        {
            // Additive increase: back to the target within about five seconds.
            _rate = Math.Min(_target, _rate + (_target * 0.2 * seconds));
        }
        _tokens = Math.Min(_capacity, _tokens + (seconds * _rate));
    }
}
