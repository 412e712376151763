namespace OpsConsole.Server.Auth;

/// <summary>Authentication scheme names.</summary>
public static class AuthSchemes
{
    /// <summary>Picks one of the others from the request's Authorization header.</summary>
    public const string Console = "OpsConsole";

    public const string Cookie = "Cookie";

    public const string Basic = "Basic";

    public const string ApiKey = "ApiKey";
}
