using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Auth;

namespace OpsConsole.Server.Tests;

public sealed class LockoutTests
{
    [Fact]
    public async Task GuessesFromOneAddress_LockOnlyThatAddress_TheUserSignsInFromAnother()
    {
        using var factory = new ConsoleAppFactory();
        var server = factory.StartOnLoopback();
        using var attacker = From(server, "127.0.0.2", "operator", "wrong");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        }

        using var operatorElsewhere = From(server, "127.0.0.3", "operator", ConsoleAppFactory.OperatorPassword);
        using var rightFromAttacker = From(server, "127.0.0.2", "operator", ConsoleAppFactory.OperatorPassword);
        using var locked = await rightFromAttacker.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, (await operatorElsewhere.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked out until", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachLockoutFromTheSameAddress_LastsTwiceAsLong_UpTo24Hours()
    {
        using var factory = new ConsoleAppFactory();
        var users = factory.Services.GetRequiredService<UserStore>();
        var lengths = new List<double>();
        for (var strike = 0; strike < 9; strike++)
        {
            DateTimeOffset? until = null;
            for (var failure = 0; failure < 3; failure++)
            {
                until = await users.RecordFailureAsync("operator", "192.0.2.7", 3, TimeSpan.FromMinutes(15));
            }
            lengths.Add(Math.Round((until!.Value - DateTimeOffset.UtcNow).TotalMinutes));
        }

        Assert.Equal([15, 30, 60, 120, 240, 480, 960, 1440, 1440], lengths);
        Assert.Null(await users.LockedUntilAsync("operator", "192.0.2.8"));
        await users.RecordSuccessAsync("operator", "192.0.2.7");
        Assert.Null(await users.LockedUntilAsync("operator", "192.0.2.7"));
    }

    [Fact]
    public async Task RestartWithThePasswordVariableSet_ClearsTheUsersLockout()
    {
        var data = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Data:Path"] = data }))
            {
                using var wrong = first.BasicClient("admin", "bad");
                for (var i = 0; i < 3; i++)
                {
                    await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));
                }
                Assert.Equal(HttpStatusCode.Unauthorized, (await first.BasicClient("admin").GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
            }

            using var second = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Data:Path"] = data });
            using var admin = second.BasicClient("admin");

            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownUserFlood_FromOneAddress_IsAnswered429WithRetryAfter_WhileAVerifiedBasicUserThereIsServed()
    {
        using var factory = new ConsoleAppFactory();
        var server = factory.StartOnLoopback();
        using var script = From(server, "127.0.0.2", "operator", ConsoleAppFactory.OperatorPassword);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        using var attacker = From(server, "127.0.0.2", "nobody", "guess");

        // 30 at once, so a slow machine cannot refill the bucket between them.
        var answers = (await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => attacker.GetAsync(new Uri("/api/runs", UriKind.Relative))))).ToList();
        using var served = await script.GetAsync(new Uri("/api/me", UriKind.Relative));

        // A burst of 10 checks (the script's first call took one), then 2 a second: 30 attempts at once cannot all be checked.
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(refused.Count, 10, 21);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.All(refused, a => Assert.InRange(int.Parse(a.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60));
        Assert.Contains("Too many sign-in attempts", await refused[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task UnknownUserGuessesFromManyAddresses_AreBoundedOverall()
    {
        using var factory = new ConsoleAppFactory();
        var server = factory.StartOnLoopback();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var attacker = From(server, $"127.0.1.{i + 1}", $"nobody{i}", "guess");
            using var response = await attacker.GetAsync(new Uri("/api/runs", UriKind.Relative));
            return response.StatusCode;
        }));

        // Each address is within its own limit; the console's burst of 20 (and 10 more a second) refuses the rest.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.TooManyRequests), 10, 20);
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
    }

    [Fact]
    public async Task SignInForm_WhenThrottled_Answers429AndSaysThePasswordWasNotChecked()
    {
        using var factory = new ConsoleAppFactory();
        using var browser = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var token = await SignInForm.TokenAsync(browser);

        // 20 at once: more than one address's burst (10), however slow the machine.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SignInForm.PostWithTokenAsync(browser, token, $"nobody{i}", "guess")));

        var throttled = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(throttled);
        Assert.NotNull(throttled[0].Headers.RetryAfter);
        Assert.Contains("Too many sign-in attempts right now: your password was not checked.", await throttled[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Array.ForEach(answers, a => a.Dispose());
    }

    /// <summary>A client whose connections come from <paramref name="address"/> (any 127.x address is this machine).</summary>
    private static HttpClient From(Uri server, string address, string user, string password)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    [Fact]
    public async Task Basic_ThreeWrongPasswords_LocksOutUntilAdminUnlocks()
    {
        using var factory = new ConsoleAppFactory();
        using var wrong = factory.BasicClient("operator", "wrong");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        }

        using var right = factory.BasicClient("operator");
        using var locked = await right.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked out until", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var admin = factory.BasicClient("admin");
        var users = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/users", UriKind.Relative));
        var entry = users.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "operator");
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("lockedUntil").ValueKind);
        Assert.Equal(3, entry.GetProperty("failedSignIns").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(new Uri("/api/users/operator/unlock", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);

        // The audit log has the three failures (the third one locking) and the unlock; attempts while locked are not entries.
        var audit = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/audit", UriKind.Relative));
        var entries = audit.EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actor").GetString(), e.GetProperty("target").GetString())).ToList();
        Assert.Equal(("user.unlock", "admin", "operator"), entries[0]);
        Assert.Equal(3, entries.Count(e => e == ("sign_in.failed", "operator", "basic")));
        Assert.StartsWith("locked out until", audit[1].GetProperty("outcome").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_WrongThenRight_ResetsTheCount()
    {
        using var factory = new ConsoleAppFactory();
        using var wrong = factory.BasicClient("viewer", "wrong");
        using var right = factory.BasicClient("viewer");

        for (var round = 0; round < 2; round++)
        {
            await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));
            await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, (await right.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task Basic_ParallelGuesses_OnlyTheAllowedNumberIsChecked()
    {
        using var factory = new ConsoleAppFactory();
        using var wrong = factory.BasicClient("viewer", "wrong");

        // 8 at once: within one address's burst of sign-in checks (10), so the throttle refuses none of them.
        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }));

        // Auth:MaxFailedSignIns is 3: two guesses fail plainly, the third locks, every other one is refused unchecked.
        Assert.Equal(2, bodies.Count(b => b.Contains("Wrong user name or password", StringComparison.Ordinal)));
        Assert.Equal(6, bodies.Count(b => b.Contains("locked out until", StringComparison.Ordinal)));
        using var right = factory.BasicClient("viewer");
        Assert.Equal(HttpStatusCode.Unauthorized, (await right.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task SignInForm_ThenBasic_ShareOneCounter()
    {
        using var factory = new ConsoleAppFactory();
        using var browser = factory.AnonymousClient();
        await SignInForm.PostAsync(browser, "operator", "wrong");
        await SignInForm.PostAsync(browser, "operator", "wrong");

        using var wrong = factory.BasicClient("operator", "wrong");
        using var third = await wrong.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Contains("locked out until", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>HTTP Basic for scripts: the right password in parallel is never locked out, and a remembered check accepts only that password.</summary>
public sealed class BasicCredentialCacheTests : IDisposable
{
    private readonly ConsoleAppFactory _console = new();

    public void Dispose() => _console.Dispose();

    [Fact]
    public async Task RightPasswordInParallel_AllSucceed_WrongOneStillRefused()
    {
        using var client = _console.BasicClient("operator");

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => client.GetAsync("/api/me")));

        Assert.All(responses, response => Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode));
        using var wrong = _console.BasicClient("operator", ConsoleAppFactory.OperatorPassword + "x");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/me")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
    }
}
