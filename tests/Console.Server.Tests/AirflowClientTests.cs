using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The Airflow example's HTTP helper (<c>deploy/airflow/opsconsole_client.py</c>, Python's standard library only)
/// against a live console: a run launched and polled to its end with an API key, a busy stream naming its active run,
/// a failed run raising with its exit code, a wrong key and a wrong stream refused. No Airflow is needed.
/// </summary>
public sealed class AirflowClientTests
{
    [Fact]
    public async Task Helper_LaunchesAndPollsRuns_AndReportsEachRefusal()
    {
        using var console = FakeJobConsole();
        var address = console.StartOnLoopback();
        using var session = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = address };
        Assert.Equal(HttpStatusCode.Redirect, (await SignInForm.PostAsync(session, "operator", ConsoleAppFactory.OperatorPassword)).StatusCode);
        using var created = await session.PostAsJsonAsync("/api/me/keys", new { name = "airflow", scope = "operate", expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

        var start = new ProcessStartInfo("python3", [Path.Combine(RepoPaths.Root, "tests", "Console.Server.Tests", "Airflow", "client_check.py"),
            address.ToString().TrimEnd('/'), key])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PYTHONPATH"] = Path.Combine(RepoPaths.Root, "deploy", "airflow"), ["PYTHONDONTWRITEBYTECODE"] = "1" },
        };
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await python.WaitForExitAsync(timeout.Token);
        Assert.True(python.ExitCode == 0, await stderr);

        var result = JsonDocument.Parse(await stdout).RootElement;
        Assert.Equal("Succeeded", result.GetProperty("charges").GetString());
        Assert.True(result.GetProperty("busy").GetBoolean());
        Assert.Equal("Failed", result.GetProperty("refunds")[0].GetString());
        Assert.Equal(4, result.GetProperty("refunds")[1].GetInt32());
        Assert.Equal(2, result.GetProperty("refunds")[2].GetInt32()); // the console retried it once, under the same run id
        Assert.Equal(401, result.GetProperty("wrong_key").GetInt32());
        Assert.Equal(400, result.GetProperty("bad_stream")[0].GetInt32());
        Assert.Equal(["stream"], result.GetProperty("bad_stream")[1].EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(key, await stdout + await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleDag_IsValidPython()
    {
        // Airflow is not here to import it; the compiler still checks its syntax (written to a temporary folder).
        var cache = Directory.CreateTempSubdirectory("opsconsole-pycache-").FullName;
        var start = new ProcessStartInfo("python3", ["-m", "py_compile", Path.Combine(RepoPaths.Root, "deploy", "airflow", "opsconsole_dag.py")])
        {
            RedirectStandardError = true,
            Environment = { ["PYTHONPYCACHEPREFIX"] = cache },
        };
        using var python = Process.Start(start)!;
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Directory.Delete(cache, recursive: true);
        Assert.True(python.ExitCode == 0, await stderr);
    }
}
