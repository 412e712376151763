using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpsConsole.Bench;

/// <summary>
/// dynalite and s3rver from tests/tools (<c>npm ci</c> there first) on free loopback ports, for the benchmarks that
/// compare the AWS stores with the folder and SQLite. Sets the S3RVER credentials in this process's environment (the
/// jobs it starts inherit them). Disposing stops both and removes s3rver's folder.
/// </summary>
public sealed class LocalAws : IDisposable
{
    private readonly List<Process> _servers = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("opsconsole-bench-s3rver-").FullName;

    public LocalAws()
    {
        var tools = Tools();
        DynamoPort = Start(tools, "dynalite/cli.js", port => ["--port", $"{port}", "--host", "127.0.0.1", "--createTableMs", "0"]);
        S3Port = Start(tools, "s3rver/bin/s3rver.js", port => ["-d", _folder, "-a", "127.0.0.1", "-p", $"{port}", "--silent"], "--openssl-legacy-provider");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
    }

    public int DynamoPort { get; }

    public int S3Port { get; }

    public string LakeUri(string name) =>
        $"s3://{name}/lake?endpoint=http://127.0.0.1:{S3Port}&region=us-east-1&pathStyle=true&commitTable={name}-commits&commitEndpoint=http://127.0.0.1:{DynamoPort}";

    public string StateUri(string name) => $"dynamodb://{name}-state?endpoint=http://127.0.0.1:{DynamoPort}&region=us-east-1";

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit(5000);
            server.Dispose();
        }
        Directory.Delete(_folder, recursive: true);
    }

    private static string Tools()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var tools = Path.Combine(folder.FullName, "tests", "tools", "node_modules");
            if (Directory.Exists(Path.Combine(tools, "s3rver")) && Directory.Exists(Path.Combine(tools, "dynalite")))
            {
                return tools;
            }
        }
        throw new InvalidOperationException("dynalite and s3rver are not installed: run 'npm ci' in tests/tools.");
    }

    private int Start(string tools, string script, Func<int, string[]> arguments, params string[] nodeOptions)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. nodeOptions, Path.Combine(tools, script), .. arguments(port)])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers.Add(process);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; Thread.Sleep(50))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return port;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
        }
    }
}
