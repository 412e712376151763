using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.TestSupport;

/// <summary>Sandbox options for tests: a fixed start on a manual clock, no latency, no rate limits, admin endpoints on.</summary>
internal static class SandboxTestOptions
{
    public const long Start = 1_790_000_000;

    public static SandboxOptions Create() => new()
    {
        Seed = 42,
        Charges = 2000,
        Days = 60,
        StartTime = Start,
        ManualClock = true,
        ArrivalsPerSecond = 0,
        UpdatesPerSecond = 0,
        LatencyMs = 0,
        JitterMs = 0,
        LiveRatePerSecond = 0,
        TestRatePerSecond = 0,
        Admin = true,
    };
}
