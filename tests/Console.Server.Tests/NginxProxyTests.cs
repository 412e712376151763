using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using OpsConsole.Shared.Runs;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// The console behind Debian's nginx terminating TLS (a self-signed certificate made for the test), as production
/// runs it: nginx connects from 127.0.0.2, the one trusted proxy (<c>Proxy:TrustedProxies</c>). Through it the session
/// cookie is Secure, the same-origin check accepts the public https origin, the log hub streams over wss, and a client's
/// own <c>X-Forwarded-For</c> does not pick the address its sign-in failures are counted under.
/// </summary>
public sealed class NginxProxyTests : IAsyncLifetime
{
    private const string ProxyAddress = "127.0.0.2";
    private ConsoleAppFactory _console = default!;
    private Nginx _nginx = default!;
    private Uri _direct = default!;

    public async Task InitializeAsync()
    {
        _console = FakeJobConsole(new Dictionary<string, string?> { ["Proxy:TrustedProxies:0"] = ProxyAddress });
        _direct = _console.StartOnLoopback();
        _nginx = await Nginx.StartAsync(_direct, ProxyAddress);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        _console.Dispose();
    }

    [Fact]
    public async Task SignInThroughTls_CookieIsSecure_AndTheSameOriginCheckKnowsThePublicOrigin()
    {
        using var browser = _nginx.Client();

        using var signedIn = await SignInForm.PostAsync(browser, "operator", ConsoleAppFactory.OperatorPassword);

        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("opsconsole.session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var me = await browser.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(("operator", "cookie"), (me.GetProperty("name").GetString(), me.GetProperty("authenticatedBy").GetString()));

        // A state change the console's own page makes (its public origin), then one from another origin of the same host.
        using var own = Launch(_nginx.Origin);
        using var launched = await browser.SendAsync(own);
        Assert.True(launched.StatusCode == HttpStatusCode.Created, await launched.Content.ReadAsStringAsync());
        using var other = Launch($"https://127.0.0.1:{_nginx.Port + 1}");
        using var refused = await browser.SendAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Cross-origin request refused", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedHeaders_CountOnlyFromTheProxy_AndOnlyItsOwnHop()
    {
        // Straight to the console from 127.0.0.1, not the proxy: a forged X-Forwarded-Proto changes nothing.
        using var direct = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _direct };
        direct.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var plain = await SignInForm.PostAsync(direct, "viewer", ConsoleAppFactory.ViewerPassword);
        Assert.DoesNotContain("secure", plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("opsconsole.session=", StringComparison.Ordinal)),
            StringComparison.OrdinalIgnoreCase);

        // Through the proxy, a client naming another address in each guess is still one client: it is locked out.
        using var guesser = _nginx.Client();
        for (var i = 1; i <= 5; i++)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/api/me");
            guess.Headers.Authorization = Basic("viewer", "wrong-password");
            guess.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.SendAsync(guess)).StatusCode);
        }
        using var right = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        right.Headers.Authorization = Basic("viewer", ConsoleAppFactory.ViewerPassword);
        right.Headers.Add("X-Forwarded-For", "203.0.113.99");
        using var locked = await guesser.SendAsync(right);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LogHub_StreamsEveryLineOverWssThroughTheProxy()
    {
        using var operatorClient = _nginx.Client();
        operatorClient.DefaultRequestHeaders.Authorization = Basic("operator", ConsoleAppFactory.OperatorPassword);
        var run = await LaunchAsync(operatorClient, new { stream = "charges", from = DateTimeOffset.FromUnixTimeSeconds(20_000) });

        var result = await NodeTools.RunJsonAsync("log-stream.mjs", "@microsoft/signalr", new Dictionary<string, string> { ["NODE_EXTRA_CA_CERTS"] = _nginx.Certificate },
            _nginx.Origin, "viewer", ConsoleAppFactory.ViewerPassword, run.Id, "1000000", "0");

        var ended = await WaitForEndAsync(operatorClient, run.Id);
        Assert.Equal(RunState.Succeeded, ended.State);
        var total = (await AllLogLinesAsync(operatorClient, run.Id)).Count;
        Assert.True(total == result.GetProperty("received").GetInt32(), result.ToString());
        Assert.Equal(0, result.GetProperty("missing").GetInt32());
        Assert.Contains("\"GET /hubs/logs?id=", await File.ReadAllTextAsync(_nginx.AccessLog), StringComparison.Ordinal);
        Assert.Contains(" 101 ", await File.ReadAllTextAsync(_nginx.AccessLog), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Launch(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { stream = "refunds" }) };
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Sec-Fetch-Site", "same-site");
        return request;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>nginx on a free loopback port with TLS, proxying everything (WebSocket upgrades included) to the console.</summary>
    private sealed class Nginx : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;
        private readonly X509Certificate2 _certificate;

        private Nginx(Process process, string folder, int port)
        {
            (_process, _folder, Port) = (process, folder, port);
            _certificate = X509CertificateLoader.LoadCertificateFromFile(Certificate);
        }

        public int Port { get; }

        /// <summary>The console's public origin.</summary>
        public string Origin => $"https://127.0.0.1:{Port}";

        public string Certificate => Path.Combine(_folder, "cert.pem");

        public string AccessLog => Path.Combine(_folder, "access.log");

        public static async Task<Nginx> StartAsync(Uri upstream, string bindAddress)
        {
            var folder = Directory.CreateTempSubdirectory("opsconsole-nginx-").FullName;
            await RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Path.Combine(folder, "key.pem"), "-out", Path.Combine(folder, "cert.pem")]);
            var port = LoopbackPorts.Free();
            await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
                worker_processes 1;
                daemon off;
                pid {{folder}}/nginx.pid;
                error_log {{folder}}/error.log info;
                events { worker_connections 256; }
                http {
                    access_log {{folder}}/access.log;
                    client_body_temp_path {{folder}}/client_body;
                    proxy_temp_path {{folder}}/proxy;
                    fastcgi_temp_path {{folder}}/fastcgi;
                    uwsgi_temp_path {{folder}}/uwsgi;
                    scgi_temp_path {{folder}}/scgi;
                    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                    server {
                        listen 127.0.0.1:{{port}} ssl;
                        ssl_certificate {{folder}}/cert.pem;
                        ssl_certificate_key {{folder}}/key.pem;
                        location / {
                            proxy_pass http://{{upstream.Host}}:{{upstream.Port}};
                            proxy_bind {{bindAddress}};
                            proxy_http_version 1.1;
                            proxy_set_header Host $http_host;
                            proxy_set_header X-Forwarded-Proto $scheme;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_buffering off;
                            proxy_read_timeout 300s;
                        }
                    }
                }
                """);
            var start = new ProcessStartInfo("nginx", ["-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return new Nginx(process, folder, port);
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100);
                }
                catch (SocketException)
                {
                    var log = File.Exists(Path.Combine(folder, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "error.log")) : "";
                    throw new InvalidOperationException($"nginx is not listening on {port}: {log}{await process.StandardError.ReadToEndAsync()}");
                }
            }
        }

        /// <summary>A client of the public origin that trusts exactly the test's certificate and keeps cookies.</summary>
        public HttpClient Client() => new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString() },
        })
        { BaseAddress = new Uri(Origin) };

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
            _certificate.Dispose();
            Directory.Delete(_folder, recursive: true);
        }

        private static async Task RunAsync(string command, string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{command} failed: {await error}");
        }
    }
}
