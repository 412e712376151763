namespace OpsConsole.Sandbox.Hosting;

/// <summary>Every wrong setting, each naming its option.</summary>
public static class SandboxOptionsValidator
{
    public static IReadOnlyList<string> Validate(SandboxOptions o)
    {
        var errors = new List<string>();
        void Range(double value, string name, double min, double max)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                errors.Add($"{name} must be between {min} and {max} (got {value}).");
            }
        }

        Range(o.Charges, nameof(o.Charges), 0, 50_000_000);
        Range(o.Customers, nameof(o.Customers), 0, 10_000_000);
        Range(o.Days, nameof(o.Days), 1, 3650);
        Range(o.ArrivalsPerSecond, nameof(o.ArrivalsPerSecond), 0, 10_000);
        Range(o.UpdatesPerSecond, nameof(o.UpdatesPerSecond), 0, 10_000);
        Range(o.VisibilityLagSeconds, nameof(o.VisibilityLagSeconds), 0, 86_400);
        Range(o.StartTime, nameof(o.StartTime), 0, 32_503_680_000);
        Range(o.TokenLifetimeSeconds, nameof(o.TokenLifetimeSeconds), 1, 86_400 * 30);
        Range(o.LiveRatePerSecond, nameof(o.LiveRatePerSecond), 0, 1_000_000);
        Range(o.TestRatePerSecond, nameof(o.TestRatePerSecond), 0, 1_000_000);
        Range(o.EndpointRatePerSecond, nameof(o.EndpointRatePerSecond), 0, 1_000_000);
        Range(o.MaxConcurrentPerKey, nameof(o.MaxConcurrentPerKey), 0, 100_000);
        Range(o.LatencyMs, nameof(o.LatencyMs), 0, 60_000);
        Range(o.JitterMs, nameof(o.JitterMs), 0, 60_000);
        Range(o.HangSeconds, nameof(o.HangSeconds), 1, 3600);
        Range(o.Burst429Length, nameof(o.Burst429Length), 1, 100_000);
        foreach (var (value, name) in new[]
        {
            (o.ServerErrorRate, nameof(o.ServerErrorRate)), (o.HangRate, nameof(o.HangRate)),
            (o.TruncateRate, nameof(o.TruncateRate)), (o.MalformedRate, nameof(o.MalformedRate)),
            (o.ResetRate, nameof(o.ResetRate)), (o.TokenExpiryRate, nameof(o.TokenExpiryRate)),
            (o.Burst429Rate, nameof(o.Burst429Rate)), (o.BadDataRate, nameof(o.BadDataRate)),
        })
        {
            Range(value, name, 0, 1);
        }

        if (o.JitterMs > o.LatencyMs)
        {
            errors.Add($"{nameof(o.JitterMs)} must not exceed {nameof(o.LatencyMs)} ({o.JitterMs} > {o.LatencyMs}).");
        }
        foreach (var key in o.TestKeyList.Where(k => !k.StartsWith("sk_test_", StringComparison.Ordinal)))
        {
            errors.Add($"{nameof(o.TestKeys)}: '{Mask(key)}' must start with sk_test_.");
        }
        foreach (var key in o.LiveKeyList.Where(k => !k.StartsWith("sk_live_", StringComparison.Ordinal)))
        {
            errors.Add($"{nameof(o.LiveKeys)}: '{Mask(key)}' must start with sk_live_.");
        }
        if (o.OAuthMode is not ("live" or "test"))
        {
            errors.Add($"{nameof(o.OAuthMode)} must be 'live' or 'test' (got '{o.OAuthMode}').");
        }
        return errors;
    }

    /// <summary>A key as Stripe shows it in errors: its prefix and last four characters.</summary>
    public static string Mask(string key) =>
        key.Length <= 12 ? new string('*', key.Length) : $"{key[..8]}{new string('*', key.Length - 12)}{key[^4..]}";
}
