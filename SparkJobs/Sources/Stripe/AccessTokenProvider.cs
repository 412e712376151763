using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>
/// OAuth2 client-credentials access tokens, fetched from <c>/oauth/token</c> and refreshed before they expire
/// (with a tenth of their lifetime, at least 30 seconds, to spare) or when the source says one expired.
/// </summary>
public sealed class AccessTokenProvider(HttpClient http, Uri tokenUri, string clientId, string clientSecret, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private string? _token;
    private DateTimeOffset _refreshAt;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_token is { } current && time.GetUtcNow() < _refreshAt)
        {
            return current;
        }
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } fresh && time.GetUtcNow() < _refreshAt)
            {
                return fresh;
            }
            return await FetchAsync(cancellationToken);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The source refused <paramref name="token"/> as expired: the next call fetches a new one.</summary>
    public void Invalidate(string token)
    {
        if (_token == token)
        {
            _refreshAt = DateTimeOffset.MinValue;
        }
    }

    public void Dispose() => _refresh.Dispose();

    private async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}")));
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if ((int)response.StatusCode is 400 or 401 or 403)
        {
            throw new SourceRejectedException((int)response.StatusCode,
                $"The token endpoint refused client {clientId}: {Describe(body)}");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
        }

        using var json = JsonDocument.Parse(body);
        if (json.RootElement.ValueKind != JsonValueKind.Object ||
            !json.RootElement.TryGetProperty("access_token", out var tokenElement) || tokenElement.ValueKind != JsonValueKind.String)
        {
            // Retried like any malformed answer.
            throw new JsonException("The token response has no access_token.");
        }
        var token = tokenElement.GetString()!;
        var lifetime = TimeSpan.FromSeconds(json.RootElement.TryGetProperty("expires_in", out var expires) &&
            expires.ValueKind == JsonValueKind.Number && expires.TryGetInt32(out var seconds) && seconds > 0 ? seconds : 3600);
        var margin = TimeSpan.FromTicks(Math.Max(lifetime.Ticks / 10, TimeSpan.FromSeconds(30).Ticks));
        _token = token;
        _refreshAt = time.GetUtcNow() + (lifetime > margin ? lifetime - margin : lifetime / 2);
        return token;
    }

    private static string Describe(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error_description", out var d) ? d.GetString() ?? "" : json.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            return "(no readable error)";
        }
    }
}
