using System.Diagnostics;
using System.Net.Sockets;

namespace OpsConsole.TestSupport;

/// <summary>
/// A server from tests/tools (npm) run by Node on a free loopback port for the test class that holds it, stopped with
/// it. The constructor returns once the port accepts connections.
/// </summary>
public abstract class NodeServer : IDisposable
{
    private readonly Process _process;

    protected NodeServer(string package, string script, Func<int, IEnumerable<string>> arguments, params string[] nodeOptions)
    {
        var cli = Path.Combine(NodeTools.Folder, "node_modules", package, script);
        Assert.True(File.Exists(cli), $"{package} is not installed: run 'npm ci' in {NodeTools.Folder} (tests/run.sh does)");
        Port = LoopbackPorts.Free();
        _process = Process.Start(new ProcessStartInfo("node", [.. nodeOptions, cli, .. arguments(Port)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
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

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public virtual void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        GC.SuppressFinalize(this);
    }
}
