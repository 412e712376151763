namespace OpsConsole.SparkJobs.Logging;

/// <summary>
/// Each retry of a source request as a warn line naming the request, the attempt and the cause, so a growing Retries
/// counter always has its reasons in the log. A storm of retries (a source down, every worker backing off) is held to
/// <see cref="LinesPerWindow"/> lines every <see cref="Window"/>; the next line says how many were not written.
/// </summary>
public sealed class RetryLog(JobLog log, string source, TimeProvider? time = null)
{
    public const int LinesPerWindow = 10;

    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _written;
    private int _held;

    public void Retrying(string request, int attempt, string problem, TimeSpan wait)
    {
        int held;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _windowStart >= Window)
            {
                (_windowStart, _written) = (now, 0);
            }
            if (_written >= LinesPerWindow)
            {
                _held++;
                return;
            }
            _written++;
            (held, _held) = (_held, 0);
        }
        log.Warn($"Retrying {request} (attempt {attempt + 1}) in {wait.TotalSeconds:0.##} s: {problem}"
                 + (held > 0 ? $" ({held} more retries were not logged one by one)" : ""),
            new Dictionary<string, object?> { ["request"] = request, ["attempt"] = attempt + 1, ["cause"] = problem, ["wait_ms"] = (long)wait.TotalMilliseconds },
            source);
    }
}
