namespace OpsConsole.Server.Sources;

/// <summary>
/// The Sandbox the embedded default ingests from, started inside the console. Section <c>Sandbox</c>; every
/// other key of the section is a Sandbox option (Sandbox/README.md), for example <c>Sandbox:Charges</c>.
/// </summary>
public sealed class EmbeddedSandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Start the Sandbox with the console.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where it listens (loopback only by default; port 0 picks a free port).</summary>
    public string Url { get; set; } = "http://127.0.0.1:12111";
}
