namespace OpsConsole.Web;

/// <summary>Every route of the console, built in one place.</summary>
public static class ConsoleUrls
{
    public const string Home = "/";
    public const string Runs = "/runs";
    public const string RunDetail = "/runs/{Id}";
    public const string Checkpoints = "/checkpoints";
    public const string Schedules = "/schedules";
    public const string Quality = "/quality";
    public const string Costs = "/costs";
    public const string Tables = "/tables";
    public const string TableDetail = "/tables/{Source}/{Stream}";
    public const string Audit = "/audit";
    public const string ApiKeys = "/account/api-keys";
    public const string Users = "/admin/users";
    public const string SignIn = "/signin";
    public const string SignOut = "/account/signout";
    public const string AccessDenied = "/access-denied";
    public const string NotFound = "/not-found";
    public const string SignInAfterSignOut = SignIn + "?signedOut=true";
    public const string ApiRoot = "/api";
    public const string HubsRoot = "/hubs";

    /// <summary>The page of one run.</summary>
    public static string Run(string id) => $"{Runs}/{Uri.EscapeDataString(id)}";

    /// <summary>The page of one stream's table.</summary>
    public static string Table(string source, string stream) => $"{Tables}/{Uri.EscapeDataString(source)}/{Uri.EscapeDataString(stream)}";

    /// <summary>The run's whole log as gzip JSON Lines.</summary>
    public static string RunLogDownload(string id) => $"{ApiRoot}/runs/{Uri.EscapeDataString(id)}/logs/download";

    /// <summary>The sign-in page that returns to <paramref name="returnUrl"/> afterwards.</summary>
    public static string SignInReturningTo(string returnUrl) => $"{SignIn}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>
    /// Where to go after signing in: <paramref name="returnUrl"/> when it is a path on this site (not another
    /// host, not the sign-in page itself) made only of printable ASCII without backslashes (the console's own links
    /// are; anything else, such as look-alike dots or line breaks, cannot go into a redirect's header as it is),
    /// else the home page.
    /// </summary>
    public static string SafeReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') ||
            returnUrl.StartsWith("//", StringComparison.Ordinal) || returnUrl.Contains('\\', StringComparison.Ordinal) ||
            returnUrl.Any(c => c is < '!' or > '~') ||
            returnUrl.StartsWith(SignIn, StringComparison.OrdinalIgnoreCase))
        {
            return Home;
        }
        return returnUrl;
    }
}
