using System.Net;

namespace OpsConsole.Server.Tests;

public sealed class SessionCookieTests(ConsoleAppFactory factory) : IClassFixture<ConsoleAppFactory>
{
    [Fact]
    public async Task SignIn_RightPassword_SetsHttpOnlyStrictSessionCookieAndRedirects()
    {
        using var client = factory.AnonymousClient();

        using var response = await SignInForm.PostAsync(client, "viewer", ConsoleAppFactory.ViewerPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("opsconsole.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.3", false)]
    public async Task SignIn_ForwardedHttps_MarksTheCookieSecureOnlyFromATrustedProxy(string peer, bool secure)
    {
        // On Kestrel, from a real peer address: only 127.0.0.1 is the trusted proxy.
        using var console = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Proxy:TrustedProxies:0"] = "127.0.0.1" });
        var address = console.StartOnLoopback();
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(peer), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = address };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        using var response = await SignInForm.PostAsync(client, "viewer", ConsoleAppFactory.ViewerPassword);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("opsconsole.session=", StringComparison.Ordinal));
        Assert.Equal(secure, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_WrongPassword_SetsNoSessionCookie()
    {
        using var client = factory.AnonymousClient();

        using var response = await SignInForm.PostAsync(client, "admin", "wrong");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) &&
            cookies.Any(c => c.StartsWith("opsconsole.session=", StringComparison.Ordinal)));
        Assert.Contains("Wrong user name or password.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/signin?returnUrl=%2F%E3%80%82evil", "/")]
    [InlineData("/signin?returnUrl=%2Fruns%0D%0ASet-Cookie%3A%20x%3D1", "/")]
    [InlineData("/signin?returnUrl=%2Fcheckpoints%3Fstream%3Dcharges", "/checkpoints?stream=charges")]
    public async Task SignIn_CraftedReturnUrl_RedirectsToASafeLocalPath(string path, string location)
    {
        // On Kestrel, as users reach it: the redirect's Location header must be one a real server can send.
        using var console = new ConsoleAppFactory();
        var address = console.StartOnLoopback();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = address };

        using var response = await SignInForm.PostAsync(client, "viewer", ConsoleAppFactory.ViewerPassword, path);

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var target = response.Headers.Location!;
        Assert.Equal(location, target.IsAbsoluteUri ? target.PathAndQuery : target.OriginalString);
        Assert.True(!target.IsAbsoluteUri || target.Authority == address.Authority, $"redirected off the site: {target}");
    }
}
