using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsConsole.TestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The console's data folder turns read-only under a running console, then writable again: an action and its audit
/// entry land together or not at all, a refused write is a 503 (never a 500), <c>/readyz</c> says the database takes
/// no write, and the console recovers without a restart. The console runs as a process; the folder is made read-only
/// by its permissions, or, when the tests run as root (who writes through any permission), by the immutable attribute
/// (<c>chattr +i</c>, which binds root too) on every file but SQLite's shared-memory files: those are mapped into the
/// console's memory, and a write through the mapping of an immutable file kills the process (SIGBUS), which is not
/// what a read-only folder does to files opened before it turned read-only.
/// </summary>
public sealed class ReadOnlyDataFolderTests
{
    private const string Password = "ReadOnly-Admin-Pass-1";

    private static bool AsRoot => Environment.UserName == "root";

    [Fact]
    public async Task DataFolderReadOnly_WritesAre503WithoutOrphans_ReadyzSaysSo_AndTheConsoleRecoversWithoutRestart()
    {
        var data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"readonly-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        var port = LoopbackPorts.Free();
        var output = new StringBuilder();
        using var console = StartConsole(data, port, output);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}")));
            await WaitForAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, output);
            // Keys are made in a signed-in session, as on the API keys page.
            using var session = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.Redirect, (await SignInForm.PostAsync(session, "admin", Password)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await session.PostAsJsonAsync("/api/me/keys", new { name = "before" })).StatusCode);

            await ReadOnlyAsync(data, readOnly: true);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                statuses.Add((await session.PostAsJsonAsync("/api/me/keys", new { name = $"read-only-{i}" })).StatusCode);
            }
            var ready = await client.GetAsync("/readyz");
            var readyBody = await ready.Content.ReadAsStringAsync();

            await ReadOnlyAsync(data, readOnly: false);
            var after = await session.PostAsJsonAsync("/api/me/keys", new { name = "after" });
            var readyAfter = await client.GetAsync("/readyz");

            Assert.All(statuses, status => Assert.True(status is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"{status} while read-only"));
            if (AsRoot)
            {
                // The immutable attribute also stops writes through files SQLite opened before; a permission change
                // does not, so as another user a pooled connection may still write, and every status may be 201.
                Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
            }
            Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, readyBody);
            Assert.Contains("opsconsole.db", readyBody, StringComparison.Ordinal);
            Assert.True(after.StatusCode == HttpStatusCode.Created, await after.Content.ReadAsStringAsync() + output);
            Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
            // Every key that exists has its audit entry, and no refused key was kept.
            var keys = (await client.GetFromJsonAsync<List<JsonElement>>("/api/me/keys"))!.Select(k => k.GetProperty("id").GetString()).Order().ToList();
            var audited = (await client.GetFromJsonAsync<List<JsonElement>>("/api/audit?action=api_key.create"))!.Select(a => a.GetProperty("target").GetString()).Order().ToList();
            Assert.Equal(keys, audited);
            Assert.Equal(2 + statuses.Count(s => s == HttpStatusCode.Created), keys.Count);
            Assert.DoesNotContain("Unhandled exception", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await ReadOnlyAsync(data, readOnly: false);
            console.Kill(entireProcessTree: true);
            await console.WaitForExitAsync();
        }
    }

    private static Process StartConsole(string data, int port, StringBuilder output)
    {
        string[] arguments = [RepoPaths.ServerAssembly(), "--urls", $"http://127.0.0.1:{port}", "--Sandbox:Enabled=false"];
        var start = new ProcessStartInfo("dotnet", arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["OPSCONSOLE_DATA"] = data;
        start.Environment["OPSCONSOLE_ADMIN_PASSWORD"] = Password;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The console did not become ready:\n{output}");
    }

    private static Task ReadOnlyAsync(string folder, bool readOnly) => AsRoot
        ? RunAsync("find", [folder, "-not", "-name", "*-shm", "-exec", "chattr", readOnly ? "+i" : "-i", "{}", "+"])
        : RunAsync("chmod", ["-R", readOnly ? "a-w" : "u+w", folder]);

    private static async Task RunAsync(string command, string[] arguments)
    {
        using var process = Process.Start(command, arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}
