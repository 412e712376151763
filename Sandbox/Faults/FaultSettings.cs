namespace OpsConsole.Sandbox.Faults;

/// <summary>Fault rates (fractions of requests to <c>/v1</c>), changeable at run time through <c>PUT /_sandbox/faults</c>.</summary>
public sealed record FaultSettings(
    double ServerErrorRate,
    double HangRate,
    double TruncateRate,
    double MalformedRate,
    double ResetRate,
    double TokenExpiryRate,
    double Burst429Rate,
    int Burst429Length,
    int HangSeconds)
{
    public IEnumerable<(FaultKind Kind, double Rate)> Rates =>
    [
        (FaultKind.ServerError, ServerErrorRate), (FaultKind.Hang, HangRate), (FaultKind.Truncate, TruncateRate),
        (FaultKind.Malformed, MalformedRate), (FaultKind.Reset, ResetRate), (FaultKind.TokenExpiry, TokenExpiryRate),
        (FaultKind.Burst429, Burst429Rate),
    ];

    /// <summary>The first problem with these settings, naming the field, or null.</summary>
    public string? Problem()
    {
        foreach (var (kind, rate) in Rates)
        {
            if (double.IsNaN(rate) || rate < 0 || rate > 1)
            {
                return $"{char.ToLowerInvariant(kind.ToString()[0])}{kind.ToString()[1..]}Rate must be between 0 and 1 (got {rate}).";
            }
        }
        if (Rates.Sum(r => r.Rate) > 1)
        {
            return "The fault rates add up to more than 1.";
        }
        if (Burst429Length is < 1 or > 100_000)
        {
            return $"burst429Length must be between 1 and 100000 (got {Burst429Length}).";
        }
        return HangSeconds is < 1 or > 3600 ? $"hangSeconds must be between 1 and 3600 (got {HangSeconds})." : null;
    }
}
