using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Tests;

public sealed class ApiAuthTests(OperatorProbeFactory factory) : IClassFixture<OperatorProbeFactory>
{
    public static TheoryData<string, string, HttpStatusCode> RoleMatrix => new()
    {
        { "viewer", "/api/probe/viewer", HttpStatusCode.OK },
        { "viewer", "/api/probe/operator", HttpStatusCode.Forbidden },
        { "viewer", "/api/probe/admin", HttpStatusCode.Forbidden },
        { "operator", "/api/probe/viewer", HttpStatusCode.OK },
        { "operator", "/api/probe/operator", HttpStatusCode.OK },
        { "operator", "/api/probe/admin", HttpStatusCode.Forbidden },
        { "admin", "/api/probe/viewer", HttpStatusCode.OK },
        { "admin", "/api/probe/operator", HttpStatusCode.OK },
        { "admin", "/api/probe/admin", HttpStatusCode.OK },
        { "viewer", "/api/me", HttpStatusCode.OK },
        { "viewer", "/api/users", HttpStatusCode.Forbidden },
        { "operator", "/api/users", HttpStatusCode.Forbidden },
        { "admin", "/api/users", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(RoleMatrix))]
    public async Task Get_AsRole_AnswersPerPolicy(string user, string path, HttpStatusCode expected)
    {
        using var client = factory.BasicClient(user);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(403, problem.RootElement.GetProperty("status").GetInt32());
        }
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/api/users")]
    [InlineData("/api/probe/operator")]
    [InlineData("/api/me/keys")]
    public async Task Get_Anonymous_Gets401JsonNotARedirect(string path)
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("viewer", ConsoleRole.Viewer)]
    [InlineData("operator", ConsoleRole.Operator)]
    [InlineData("admin", ConsoleRole.Admin)]
    public async Task Me_Basic_ReturnsNameAndRole(string user, ConsoleRole role)
    {
        using var client = factory.BasicClient(user);

        var me = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(user, me.GetProperty("name").GetString());
        Assert.Equal(role.ToString(), me.GetProperty("role").GetString());
        Assert.Equal("basic", me.GetProperty("authenticatedBy").GetString());
    }

    [Fact]
    public async Task Me_WrongBasicPassword_Gets401WithReason()
    {
        using var client = factory.BasicClient("viewer", "not-the-password");

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Wrong user name or password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Me_MalformedBasicHeader_Gets401()
    {
        using var client = factory.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "%%%not-base64");

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not valid base64", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKey_CreatedByOperator_ActsAsOperatorUntilRevoked()
    {
        using var basic = await factory.SessionClientAsync("operator");
        using var created = await basic.PostAsJsonAsync(new Uri("/api/me/keys", UriKind.Relative), new { name = "deploy script" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("secret").GetString()!;
        var id = body.GetProperty("key").GetProperty("id").GetString()!;
        Assert.StartsWith("opsk_", secret, StringComparison.Ordinal);

        using var bearer = factory.AnonymousClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var me = await bearer.GetFromJsonAsync<JsonElement>(new Uri("/api/me", UriKind.Relative));
        Assert.Equal("operator", me.GetProperty("name").GetString());
        Assert.Equal("api-key", me.GetProperty("authenticatedBy").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync(new Uri("/api/probe/operator", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bearer.GetAsync(new Uri("/api/probe/admin", UriKind.Relative))).StatusCode);

        var listed = await basic.GetStringAsync(new Uri("/api/me/keys", UriKind.Relative));
        Assert.Contains("deploy script", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await basic.DeleteAsync(new Uri($"/api/me/keys/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await basic.DeleteAsync(new Uri($"/api/me/keys/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ApiKey_ReadScope_ReadsButCannotOperate_AndAnAdminsKeyNeverAdministers()
    {
        using var viewerKey = await BearerAsync("operator", new { name = "dashboard", scope = "read" });
        using var adminKey = await BearerAsync("admin", new { name = "automation" });

        Assert.Equal(HttpStatusCode.OK, (await viewerKey.GetAsync(new Uri("/api/probe/viewer", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerKey.GetAsync(new Uri("/api/probe/operator", UriKind.Relative))).StatusCode);
        Assert.Equal("Viewer", (await viewerKey.GetFromJsonAsync<JsonElement>(new Uri("/api/me", UriKind.Relative))).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await adminKey.GetAsync(new Uri("/api/probe/operator", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await adminKey.GetAsync(new Uri("/api/probe/admin", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task CreateKey_OnlyInASignedInSession_NeitherWithAKeyNorWithBasic()
    {
        using var key = await BearerAsync("operator", new { name = "script" });

        using var response = await key.PostAsJsonAsync(new Uri("/api/me/keys", UriKind.Relative), new { name = "child" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("API keys are created in a signed-in session", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var password = factory.BasicClient("operator");
        using var withPassword = await password.PostAsJsonAsync(new Uri("/api/me/keys", UriKind.Relative), new { name = "child" });
        Assert.Equal(HttpStatusCode.Forbidden, withPassword.StatusCode);
        using var basic = factory.BasicClient("operator");
        Assert.DoesNotContain("child", await basic.GetStringAsync(new Uri("/api/me/keys", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKey_WithAnExpiry_WorksUntilThen_AndGets401SayingItExpired()
    {
        using var basic = await factory.SessionClientAsync("viewer");
        using var created = await basic.PostAsJsonAsync(new Uri("/api/me/keys", UriKind.Relative), new { name = "temporary", expiresInDays = 7 });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var expires = body.GetProperty("key").GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(5));
        using var bearer = factory.AnonymousClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync(new Uri("/api/me", UriKind.Relative))).StatusCode);

        // Seven days on: the stored end has passed.
        var database = factory.Services.GetRequiredService<OpsConsole.Server.Data.SqliteDatabase>();
        await using (var connection = await database.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE api_keys SET expires_at = $past WHERE id = $id";
            command.Parameters.AddWithValue("$past", DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$id", body.GetProperty("key").GetProperty("id").GetString());
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        using var response = await bearer.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("The API key expired at", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(366)]
    public async Task CreateKey_ExpiryOutOfRange_Gets400NamingIt(int days)
    {
        using var client = await factory.SessionClientAsync("viewer");

        using var response = await client.PostAsJsonAsync(new Uri("/api/me/keys", UriKind.Relative), new { name = "x", expiresInDays = days });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("between 1 and 365", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("expiresInDays")[0].GetString(),
            StringComparison.Ordinal);
    }

    private async Task<HttpClient> BearerAsync(string user, object request)
    {
        using var basic = await factory.SessionClientAsync(user);
        using var created = await basic.PostAsJsonAsync(new Uri("/api/me/keys", UriKind.Relative), request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bearer = factory.AnonymousClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        return bearer;
    }

    [Fact]
    public async Task ApiKey_Unknown_Gets401()
    {
        using var client = factory.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "opsk_made-up");

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("unknown or revoked", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":""}""", "Name must be 1 to 100 characters.")]
    [InlineData("""{}""", "Name must be 1 to 100 characters.")]
    public async Task CreateKey_BadName_Gets400NamingTheField(string json, string message)
    {
        using var client = await factory.SessionClientAsync("viewer");

        using var response = await client.PostAsync(new Uri("/api/me/keys", UriKind.Relative),
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(message, problem.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Fact]
    public async Task CreateKey_MalformedJson_Gets400NotA500()
    {
        using var client = await factory.SessionClientAsync("viewer");

        using var response = await client.PostAsync(new Uri("/api/me/keys", UriKind.Relative),
            new StringContent("""{"name":""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Page_Anonymous_RedirectsToSignInWithReturnUrl()
    {
        using var client = factory.AnonymousClient();

        using var response = await client.GetAsync(new Uri("/checkpoints", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Fcheckpoints", response.Headers.Location?.PathAndQuery);
    }
}
