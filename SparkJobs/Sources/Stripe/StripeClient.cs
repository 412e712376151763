using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>
/// Reads a Stripe-compatible API: list pages over a <c>created</c> window with cursor pagination, and single
/// objects. Every request passes the shared <see cref="RateGate"/>; failures that can pass (5xx, 429, timeouts,
/// resets, truncated or malformed bodies, expired tokens) are retried with exponential backoff and full jitter,
/// per request up to <see cref="StripeClientOptions.MaxAttempts"/> and per run within
/// <see cref="StripeClientOptions.RetryBudget"/>; requests the source refuses (400, 404, bad credentials) fail at once.
/// </summary>
public sealed class StripeClient : IDisposable
{
    private readonly StripeClientOptions _options;
    private readonly HttpClient _http;
    private readonly AccessTokenProvider? _tokens;
    private readonly TimeProvider _time;
    private int _retriesLeft;

    public StripeClient(StripeClientOptions options, RateGate? gate = null, SourceStats? stats = null, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        Gate = gate ?? new RateGate(options.TargetRate, _time);
        Stats = stats ?? new SourceStats();
        _retriesLeft = options.RetryBudget;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 256,
            AutomaticDecompression = System.Net.DecompressionMethods.All,
        })
        {
            BaseAddress = options.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("OpsConsole-SparkJobs/1.0");
        if (options.Credentials.IsOAuth)
        {
            _tokens = new AccessTokenProvider(_http, new Uri(options.BaseAddress, "/oauth/token"),
                options.Credentials.ClientId!, options.Credentials.ClientSecret!, _time);
        }
    }

    public RateGate Gate { get; }

    public SourceStats Stats { get; }

    /// <summary>
    /// Every page of <paramref name="stream"/> created in [<paramref name="createdFrom"/>, <paramref name="createdTo"/>),
    /// newest first, following <c>starting_after</c> until <c>has_more</c> is false. The caller disposes each page.
    /// </summary>
    public async IAsyncEnumerable<SourcePage> ListAsync(
        StripeStream stream,
        long? createdFrom,
        long? createdTo,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        IReadOnlyList<string>? types = null,
        string? startingAfter = null,
        int limit = 100)
    {
        var query = new StringBuilder(stream.Path).Append("?limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        if (createdFrom is { } from)
        {
            query.Append("&created[gte]=").Append(from.ToString(CultureInfo.InvariantCulture));
        }
        if (createdTo is { } to)
        {
            query.Append("&created[lt]=").Append(to.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var type in types ?? [])
        {
            query.Append("&types[]=").Append(Uri.EscapeDataString(type));
        }
        var basePath = query.ToString();

        var after = startingAfter;
        while (true)
        {
            var path = after is null ? basePath : $"{basePath}&starting_after={Uri.EscapeDataString(after)}";
            var page = await GetPageAsync(path, cancellationToken);
            Stats.Page(page.Count);
            var hasMore = page.HasMore;
            after = page.LastId;
            yield return page;
            if (!hasMore || after is null)
            {
                yield break;
            }
        }
    }

    /// <summary>One object, or null when the source no longer has it (404).</summary>
    public async Task<JsonDocument?> RetrieveAsync(StripeStream stream, string id, CancellationToken cancellationToken)
    {
        try
        {
            var (_, document) = await SendAsync($"{stream.Path}/{Uri.EscapeDataString(id)}", cancellationToken);
            return document;
        }
        catch (SourceRejectedException rejected) when (rejected.Status == 404)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _tokens?.Dispose();
        _http.Dispose();
    }

    /// <summary>Whether the stream has any object created before <paramref name="time"/>; a request, not a page of records.</summary>
    public async Task<bool> AnyCreatedBeforeAsync(StripeStream stream, long time, CancellationToken cancellationToken)
    {
        using var page = await GetPageAsync($"{stream.Path}?limit=1&created[lt]={time.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        return page.Count > 0;
    }

    private async Task<SourcePage> GetPageAsync(string path, CancellationToken cancellationToken)
    {
        var (body, document) = await SendAsync(path, cancellationToken, IsList);
        return new SourcePage(body, document);
    }

    /// <summary>A 200 that is not a list (no data array or has_more) is malformed, and retried like one.</summary>
    private static bool IsList(JsonDocument document) =>
        document.RootElement.ValueKind == JsonValueKind.Object &&
        document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array &&
        document.RootElement.TryGetProperty("has_more", out var more) && more.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private async Task<(byte[] Body, JsonDocument Document)> SendAsync(string path, CancellationToken cancellationToken, Func<JsonDocument, bool>? valid = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            await Gate.WaitAsync(cancellationToken);
            var outcome = await AttemptAsync(path, valid, cancellationToken);
            if (outcome.Response is { } response)
            {
                return response;
            }
            if (attempt >= _options.MaxAttempts)
            {
                throw new SourceFailedException($"{path}: {attempt} attempts failed; the last: {outcome.Problem}.");
            }
            if (Interlocked.Decrement(ref _retriesLeft) < 0)
            {
                throw new SourceFailedException($"{path}: the run's retry budget ({_options.RetryBudget}) is spent; the last failure: {outcome.Problem}.");
            }
            Stats.Retry();
            var wait = outcome.RetryAtOnce ? TimeSpan.Zero : Backoff(attempt);
            _options.OnRetry?.Invoke(path, attempt, outcome.Problem!, wait);
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    /// <summary>
    /// One request: the parsed response, or what went wrong in a way worth retrying (429, 5xx, a refreshed token, a
    /// dropped connection, a timeout, a body that does not parse). A refusal (other 4xx) throws: retrying cannot help.
    /// </summary>
    private async Task<Attempt> AttemptAsync(string path, Func<JsonDocument, bool>? valid, CancellationToken cancellationToken)
    {
        string? token = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            token = _tokens is null ? null : await _tokens.GetAsync(timeout.Token);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? _options.Credentials.SecretKey);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            Stats.Request(body.Length);
            var status = (int)response.StatusCode;
            if (status != 200)
            {
                return Failed(path, status, body, token);
            }
            var document = JsonDocument.Parse(body);
            if (valid is null || valid(document))
            {
                return new Attempt((body, document), null, RetryAtOnce: false);
            }
            document.Dispose();
            throw new JsonException("The response is not a list.");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return new Attempt(null, $"connection: {exception.Message}", RetryAtOnce: false);
        }
        catch (JsonException)
        {
            return new Attempt(null, "malformed JSON in the response", RetryAtOnce: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt(null, $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s", RetryAtOnce: false);
        }
    }

    /// <summary>A response other than 200: a problem to retry, or a refusal that ends the run.</summary>
    private Attempt Failed(string path, int status, byte[] body, string? token)
    {
        var (message, code, param) = ErrorOf(body);
        switch (status)
        {
            case 429:
                Stats.Limited();
                Gate.OnRateLimited();
                return new Attempt(null, $"429 {code ?? "rate_limit"}", RetryAtOnce: false);
            case 401 when token is not null:
                // An expired token: fetch a new one and try again at once.
                _tokens!.Invalidate(token);
                return new Attempt(null, $"401 {code ?? "unauthorized"} (token refreshed)", RetryAtOnce: true);
            case >= 500:
                return new Attempt(null, $"{status} {message}", RetryAtOnce: false);
            default:
                throw new SourceRejectedException(status, $"{path}: the source refused the request ({status}{(param is null ? "" : $", parameter {param}")}): {message}", param);
        }
    }

    /// <summary>One request's outcome: the response, or the problem and whether to retry without a backoff.</summary>
    private sealed record Attempt((byte[] Body, JsonDocument Document)? Response, string? Problem, bool RetryAtOnce);

    /// <summary>Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))].</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.BackoffMax.TotalMilliseconds, _options.BackoffBase.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private static (string Message, string? Code, string? Param) ErrorOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return (error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "",
                    error.TryGetProperty("code", out var c) ? c.GetString() : null,
                    error.TryGetProperty("param", out var p) ? p.GetString() : null);
            }
        }
        catch (JsonException)
        {
        }
        return ("(no error body)", null, null);
    }
}
