namespace OpsConsole.Sandbox.Data;

/// <summary>
/// The Sandbox's notion of now, in unix seconds. Real time plus an offset, or, with a manual clock, a value that
/// only moves when a test advances it.
/// </summary>
public sealed class SandboxClock
{
    private readonly TimeProvider _time;
    private readonly bool _manual;
    private readonly Lock _lock = new();
    private long _offsetSeconds;
    private long _manualNow;

    public SandboxClock(TimeProvider time, long startTime, bool manual)
    {
        _time = time;
        _manual = manual;
        var real = time.GetUtcNow().ToUnixTimeSeconds();
        _manualNow = startTime > 0 ? startTime : real;
        _offsetSeconds = startTime > 0 ? startTime - real : 0;
    }

    public bool IsManual => _manual;

    public long UnixNow
    {
        get
        {
            lock (_lock)
            {
                return _manual ? _manualNow : _time.GetUtcNow().ToUnixTimeSeconds() + _offsetSeconds;
            }
        }
    }

    /// <summary>Moves the clock forward (never back: objects already created stay in the past).</summary>
    public long Advance(long seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        lock (_lock)
        {
            if (_manual)
            {
                _manualNow += seconds;
            }
            else
            {
                _offsetSeconds += seconds;
            }
        }
        return UnixNow;
    }
}
