namespace OpsConsole.Server.Runs;

/// <summary>The source API runs ingest from. Section <c>Source</c>.</summary>
public sealed class SourceOptions
{
    public const string Section = "Source";

    /// <summary>The API's base URL. Empty: the embedded Sandbox.</summary>
    public string ApiBase { get; set; } = "";

    /// <summary>
    /// The secret API key handed to the job in its environment (<c>STRIPE_SECRET_KEY</c>), never on its command line.
    /// Empty: the embedded Sandbox's first live key. Set it through the environment (<c>Source__SecretKey</c>).
    /// </summary>
    public string SecretKey { get; set; } = "";
}
