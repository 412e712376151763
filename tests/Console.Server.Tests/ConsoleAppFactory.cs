using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Server.Tests;

/// <summary>The console host in memory, with its own data folder and known demo passwords.</summary>
public class ConsoleAppFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-test-password";
    public const string OperatorPassword = "operator-test-password";
    public const string ViewerPassword = "viewer-test-password";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsData;
    private Action<IServiceCollection>? _services;

    public ConsoleAppFactory()
        : this(null)
    {
    }

    protected ConsoleAppFactory(IDictionary<string, string?>? settings)
    {
        // A data folder passed in belongs to the caller (several consoles in turn over one folder); otherwise it is this console's.
        _ownsData = settings?.ContainsKey("Data:Path") != true;
        DataPath = settings?.TryGetValue("Data:Path", out var given) == true ? given! : Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["Data:Path"] = DataPath,
            ["OPSCONSOLE_ADMIN_PASSWORD"] = AdminPassword,
            ["OPSCONSOLE_OPERATOR_PASSWORD"] = OperatorPassword,
            ["OPSCONSOLE_VIEWER_PASSWORD"] = ViewerPassword,
            ["Auth:MaxFailedSignIns"] = "3",
            ["Sandbox:Url"] = "http://127.0.0.1:0",
            ["Sandbox:Charges"] = "500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataPath { get; }

    /// <summary>Where the console listens when started on Kestrel (<see cref="StartOnLoopback"/>), for real clients.</summary>
    public Uri? ServerAddress { get; private set; }

    /// <summary>Starts the console on a free loopback port, so out-of-process clients (Node) can reach it.</summary>
    public Uri StartOnLoopback()
    {
        // 127.0.0.1 explicitly: "localhost" with port 0 may give IPv4 and IPv6 different ports, and another test's server the other one.
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        ServerAddress = new Uri(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        return ServerAddress;
    }

    /// <summary>A console with these settings on top of the test defaults (and these services in place of the app's).</summary>
    public static ConsoleAppFactory With(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null) =>
        new(settings) { _services = services };

    public static string PasswordOf(string user) => user switch
    {
        "admin" => AdminPassword,
        "operator" => OperatorPassword,
        "viewer" => ViewerPassword,
        _ => throw new ArgumentOutOfRangeException(nameof(user)),
    };

    /// <summary>A client that sends HTTP Basic credentials and never follows redirects.</summary>
    public HttpClient BasicClient(string user, string? password = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ServerAddress ?? new Uri("http://localhost") });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password ?? PasswordOf(user)}")));
        return client;
    }

    public HttpClient AnonymousClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A client signed in through the sign-in form, as a browser is: it carries the session cookie.</summary>
    public async Task<HttpClient> SessionClientAsync(string user)
    {
        var client = AnonymousClient();
        using var response = await SignInForm.PostAsync(client, user, PasswordOf(user));
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect, $"signing in as {user}: {response.StatusCode}");
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_services is { } services)
        {
            builder.ConfigureTestServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsData && Directory.Exists(DataPath))
        {
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the temp folder is cleaned by the OS.
            }
        }
    }
}
