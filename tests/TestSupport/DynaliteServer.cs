namespace OpsConsole.TestSupport;

/// <summary>
/// dynalite (tests/tools, npm): the DynamoDB API over an in-memory LevelDB. Tables are created and deleted at once
/// (no CREATING wait).
/// </summary>
public sealed class DynaliteServer() : NodeServer("dynalite", "cli.js", port =>
    ["--port", $"{port}", "--host", "127.0.0.1", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"])
{
    /// <summary>A state-store URI for a table of its own on this server.</summary>
    public string StateUri(string table) => $"dynamodb://{table}?endpoint={Endpoint}&region=us-east-1";
}
