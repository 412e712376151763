using System.Diagnostics;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>The built console as a real process, as an operator starts it.</summary>
public sealed class ServerProcessTests
{
    [Theory]
    [InlineData(new[] { "--Auth:LockoutMinutes=0", "--Auth:SessionMinutes=1" },
        new[] { "Auth:LockoutMinutes must be between 1 and 10080 (got 0).", "Auth:SessionMinutes must be between 5 and 43200 (got 1)." })]
    [InlineData(new[] { "--Auth:LockoutMinutes=0", "--Metrics:AllowedNetworks:0=prometheus" },
        new[] { "Auth:LockoutMinutes must be between 1 and 10080 (got 0).", "Metrics:AllowedNetworks:0 'prometheus' is not a network" })]
    [InlineData(new[] { "--Auth:MaxFailedSignIns=five" }, new[] { "'Auth:MaxFailedSignIns'" })]
    [InlineData(new[] { "--Runner:Kind=nomad" }, new[] { "Runner:Kind 'nomad' is not a runner (known: local, kubernetes)." })]
    [InlineData(new[] { "--Runner:Kind=kubernetes", "--Kubernetes:Namespace=Prod_NS" },
        new[] { "Kubernetes:Image must name the job's image (registry/opsconsole/job:tag).", "Kubernetes:Namespace 'Prod_NS' is not a namespace name" })]
    [InlineData(new[] { "--Lake:Uri=gs://bucket/lake", "--State:Uri=sqlite:" },
        new[] { "Lake:Uri has the scheme 'gs:', which is not a lake (known: file:, s3:).", "State:Uri has no path after 'sqlite:'." })]
    [InlineData(new[] { "--Lake:Uri=s3://bucket/lake" }, new[] { "Lake:Uri names no commit coordination: add commitTable=TABLE" })]
    [InlineData(new[] { "--Sandbox:Charges=-1", "--Sandbox:Url=ftp://x" },
        new[] { "Sandbox:Charges must be between 0 and 50000000 (got -1).", "Sandbox:Url must be an http:// URL (got 'ftp://x')." })]
    public async Task Start_WrongSettings_ExitsWith2AndNamesEveryKey(string[] settings, string[] expected)
    {
        var data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [RepoPaths.ServerAssembly(), "--urls", "http://127.0.0.1:0", .. settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["OPSCONSOLE_DATA"] = data },
        };

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var errors = await stderr;
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}:\n{errors}");
        Assert.StartsWith("OpsConsole cannot start: invalid configuration.", errors, StringComparison.Ordinal);
        foreach (var message in expected)
        {
            Assert.Contains(message, errors, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Unhandled exception", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", await stdout, StringComparison.Ordinal);
    }
}
