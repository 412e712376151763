using System.Diagnostics;
using System.Text.Json;

namespace OpsConsole.TestSupport;

/// <summary>Runs a script of tests/tools with Node (its npm packages installed by tests/run.sh) and parses its JSON output.</summary>
internal static class NodeTools
{
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "tests", "tools");

    public static Task<JsonElement> RunJsonAsync(string script, string requiredPackage, params string[] args) =>
        RunJsonAsync(script, requiredPackage, new Dictionary<string, string>(), args);

    /// <summary>Runs the script with <paramref name="environment"/> added to this process's (e.g. NODE_EXTRA_CA_CERTS).</summary>
    public static async Task<JsonElement> RunJsonAsync(string script, string requiredPackage, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        Assert.True(Directory.Exists(Path.Combine(Folder, "node_modules", requiredPackage)),
            $"{requiredPackage} is not installed: run 'npm ci' in {Folder} (tests/run.sh does)");
        var start = new ProcessStartInfo("node", [Path.Combine(Folder, script), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Folder,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node {script} exited with {process.ExitCode}: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }
}
