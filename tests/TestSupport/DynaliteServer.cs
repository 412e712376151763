using System.Diagnostics;
using System.Net.Sockets;

namespace OpsConsole.TestSupport;

/// <summary>
/// dynalite (tests/tools, npm): the DynamoDB API over an in-memory LevelDB, on a free loopback port for the test
/// class that holds it. Tables are created and deleted at once (no CREATING wait).
/// </summary>
public sealed class DynaliteServer : IDisposable
{
    private readonly Process _process;

    public DynaliteServer()
    {
        var cli = Path.Combine(NodeTools.Folder, "node_modules", "dynalite", "cli.js");
        Assert.True(File.Exists(cli), $"dynalite is not installed: run 'npm ci' in {NodeTools.Folder} (tests/run.sh does)");
        Port = LoopbackPorts.Free();
        _process = Process.Start(new ProcessStartInfo("node", [cli, "--port", $"{Port}", "--host", "127.0.0.1", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public int Port { get; }

    /// <summary>A state-store URI for a table of its own on this server.</summary>
    public string StateUri(string table) => $"dynamodb://{table}?endpoint=http://127.0.0.1:{Port}&region=us-east-1";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
