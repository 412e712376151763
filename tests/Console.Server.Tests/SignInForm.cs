using System.Text.RegularExpressions;

namespace OpsConsole.Server.Tests;

/// <summary>Posts the sign-in page's form as a browser does: antiforgery token from the page, cookies kept by the client.</summary>
internal static partial class SignInForm
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string user, string password, string path = "/signin") =>
        await PostWithTokenAsync(client, await TokenAsync(client, path), user, password, path);

    /// <summary>The page's antiforgery token (good for several posts from this client).</summary>
    public static async Task<string> TokenAsync(HttpClient client, string path = "/signin")
    {
        var page = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        var token = TokenPattern().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in page has no antiforgery token");
        return token;
    }

    public static async Task<HttpResponseMessage> PostWithTokenAsync(HttpClient client, string token, string user, string password, string path = "/signin")
    {
        return await client.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token,
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
