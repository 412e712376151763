using System.Diagnostics.Metrics;

namespace OpsConsole.Server.Metrics;

/// <summary>The console's own instruments, on the <c>OpsConsole</c> meter.</summary>
public sealed class ConsoleMetrics
{
    public const string MeterName = "OpsConsole";

    private readonly Counter<long> _signIns;

    public ConsoleMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _signIns = meter.CreateCounter<long>("opsconsole.auth.sign_ins", "{sign-in}",
            "Sign-in attempts by method (form, basic) and outcome (succeeded, failed, locked_out, throttled).");
    }

    public void SignIn(string method, string outcome) =>
        _signIns.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", outcome));
}
