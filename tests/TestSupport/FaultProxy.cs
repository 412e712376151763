using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsConsole.TestSupport;

/// <summary>The faults <see cref="FaultProxy"/> injects.</summary>
public enum Fault
{
    /// <summary>500 with the service's internal-error body.</summary>
    ServerError,

    /// <summary>The service's throttling answer: S3's 503 <c>SlowDown</c>, DynamoDB's 400 <c>ProvisionedThroughputExceededException</c>.</summary>
    Throttle,

    /// <summary>The connection is dropped before any answer.</summary>
    Reset,

    /// <summary>The request is forwarded after a pause of <see cref="FaultProxy.SlowDelay"/>.</summary>
    Slow,
}

/// <summary>
/// An HTTP proxy on a free loopback port in front of dynalite or s3rver that answers a share of the requests with a
/// fault instead of forwarding them. Requests are forwarded byte for byte with their Host header, so S3 signatures
/// still verify. Seeded: a failing test can be replayed.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _target;
    private readonly bool _dynamo;
    private readonly Random _random;
    private readonly Lock _gate = new();

    private FaultProxy(WebApplication app, Uri target, bool dynamo, int seed)
    {
        (_app, _dynamo, _random) = (app, dynamo, new Random(seed));
        _target = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = target, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Of the requests, the share answered with a fault (0..1), drawn among <see cref="Faults"/>.</summary>
    public double Rate { get; set; }

    public IReadOnlyList<Fault> Faults { get; set; } = Enum.GetValues<Fault>();

    /// <summary>Which requests may get a fault (all by default): a fault aimed at one kind of request.</summary>
    public Func<HttpRequest, bool> Applies { get; set; } = _ => true;

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(2);

    public Uri Address { get; private set; } = default!;

    /// <summary>The faults injected so far, by kind, and the requests forwarded.</summary>
    public ConcurrentDictionary<Fault, int> Injected { get; } = new();

    public int Forwarded => _forwarded;

    private int _forwarded;

    /// <summary>Starts a proxy to <paramref name="target"/>; <paramref name="dynamo"/> picks DynamoDB's error bodies instead of S3's.</summary>
    public static async Task<FaultProxy> StartAsync(Uri target, bool dynamo, int seed)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var proxy = new FaultProxy(app, target, dynamo, seed);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Address = new Uri(app.Urls.First());
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var fault = Applies(context.Request) ? Draw() : null;
        if (fault is { } chosen)
        {
            Injected.AddOrUpdate(chosen, 1, (_, n) => n + 1);
        }
        switch (fault)
        {
            case Fault.Reset:
                context.Abort();
                return;
            case Fault.ServerError:
                await AnswerAsync(context, 500, _dynamo ? ("InternalServerError", "Internal server error (injected)") : ("InternalError", "We encountered an internal error (injected)."));
                return;
            case Fault.Throttle:
                await AnswerAsync(context, _dynamo ? 400 : 503,
                    _dynamo ? ("ProvisionedThroughputExceededException", "Rate of requests exceeds the allowed throughput (injected).") : ("SlowDown", "Please reduce your request rate (injected)."));
                return;
            case Fault.Slow:
                await Task.Delay(SlowDelay, context.RequestAborted);
                break;
        }
        await ForwardAsync(context);
    }

    private Fault? Draw()
    {
        lock (_gate)
        {
            return Rate > 0 && _random.NextDouble() < Rate ? Faults[_random.Next(Faults.Count)] : null;
        }
    }

    private async Task AnswerAsync(HttpContext context, int status, (string Code, string Message) error)
    {
        // The request body is read to its end first, as a real server does before it answers.
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.StatusCode = status;
        if (_dynamo)
        {
            context.Response.ContentType = "application/x-amz-json-1.0";
            context.Response.Headers["x-amzn-ErrorType"] = error.Code;
            await context.Response.WriteAsync($"{{\"__type\":\"com.amazonaws.dynamodb.v20120810#{error.Code}\",\"message\":\"{error.Message}\"}}");
        }
        else
        {
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{error.Code}</Code><Message>{error.Message}</Message></Error>");
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.Value + request.QueryString.Value);
        if (request.ContentLength is not null || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            forward.Content = new StreamContent(request.Body);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        forward.Headers.Host = request.Host.Value;
        using var answer = await _target.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        Interlocked.Increment(ref _forwarded);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _target.Dispose();
    }
}
