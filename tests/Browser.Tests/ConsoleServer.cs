using System.Diagnostics;
using System.Net;
using System.Text;
using OpsConsole.TestSupport;

namespace OpsConsole.Browser.Tests;

/// <summary>The built console started as a real process on a free loopback port, with its own data folder.</summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    public static readonly IReadOnlyDictionary<string, string> Passwords = new Dictionary<string, string>
    {
        ["admin"] = "browser-admin-password",
        ["operator"] = "browser-operator-password",
        ["viewer"] = "browser-viewer-password",
    };

    private readonly ProcessStartInfo _start;
    private readonly StringBuilder _output = new();
    private Process _process = default!;

    private ConsoleServer(ProcessStartInfo start, string baseUrl, string dataPath)
    {
        _start = start;
        BaseUrl = baseUrl;
        DataPath = dataPath;
    }

    public string BaseUrl { get; }

    public string DataPath { get; }

    /// <summary>Everything the console printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the built console on a free port with its own data folder; <paramref name="settings"/> are more command-line settings.</summary>
    public static async Task<ConsoleServer> StartAsync(params string[] settings)
    {
        var port = LoopbackPorts.Free();
        var baseUrl = $"http://127.0.0.1:{port}";
        var dataPath = Path.Combine(Path.GetTempPath(), "opsconsole-browser", Guid.NewGuid().ToString("N"));
        // A little bad data (nulls, negative amounts, repeated ids, unknown fields) gives the data-quality rules something to find.
        var start = new ProcessStartInfo("dotnet", [RepoPaths.ServerAssembly(), "--urls", baseUrl, "--Sandbox:Url", "http://127.0.0.1:0", "--Sandbox:BadDataRate", "0.02", .. settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["OPSCONSOLE_DATA"] = dataPath,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["OPSCONSOLE_ADMIN_PASSWORD"] = Passwords["admin"],
                ["OPSCONSOLE_OPERATOR_PASSWORD"] = Passwords["operator"],
                ["OPSCONSOLE_VIEWER_PASSWORD"] = Passwords["viewer"],
            },
        };

        var server = new ConsoleServer(start, baseUrl, dataPath);
        await server.LaunchAsync();
        return server;
    }

    /// <summary>Kills the console, as a crash or a deploy would; <see cref="StartAgainAsync"/> brings it back.</summary>
    public Task StopAsync() => KillAsync();

    /// <summary>Starts the console again on the same port and data folder.</summary>
    public Task StartAgainAsync() => LaunchAsync();

    private async Task LaunchAsync()
    {
        _process = Process.Start(_start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilHealthyAsync();
    }

    private async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean with the rest of the temp folder.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The console exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"{BaseUrl}/readyz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The console did not become ready in 90 s:\n{Output}");
    }
}
