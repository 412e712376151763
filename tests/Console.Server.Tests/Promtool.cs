using System.Diagnostics;

namespace OpsConsole.Server.Tests;

/// <summary>Runs Prometheus's <c>promtool</c> (Debian package <c>prometheus</c>, installed by the test script).</summary>
internal static class Promtool
{
    public static Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition) => RunAsync(exposition, "check", "metrics");

    /// <summary>Runs <c>promtool</c> with <paramref name="arguments"/>, <paramref name="input"/> on its standard input.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string input, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool", arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("promtool did not start; install the Debian package 'prometheus'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
