using OpsConsole.Sandbox.Access;
using OpsConsole.Sandbox.Admin;
using OpsConsole.Sandbox.Faults;
using OpsConsole.Sandbox.Hosting;
using OpsConsole.Sandbox.Limits;

namespace OpsConsole.Sandbox.Api;

/// <summary>
/// What every <c>/v1</c> request goes through, in Stripe's order: authentication (401), rate limits (429, fast),
/// the latency model, injected faults, then the handler; errors leave in Stripe's JSON shape with a Request-Id.
/// </summary>
public sealed class RequestPipeline(
    SandboxOptions options,
    AccessControl access,
    RateLimiter limiter,
    FaultInjector faults,
    RequestStats stats,
    ILogger<RequestPipeline> logger)
{
    public async Task HandleAsync(HttpContext context, string endpoint, Func<Credential, byte[]> handler)
    {
        var response = context.Response;
        var credential = "anonymous";
        var fault = FaultKind.None;
        var status = 500;
        try
        {
            var caller = access.Authenticate(context.Request);
            credential = caller.Label;
            using var lease = limiter.Admit(caller, endpoint);
            // Drawn after the limiter, so a scheduled fault is never used up by a request that got a 429.
            fault = faults.Next(context.Request.Path.Value ?? "", credential, hasToken: caller.Token is not null);
            if (fault == FaultKind.TokenExpiry)
            {
                throw access.Expire(caller.Token!);
            }
            if (fault == FaultKind.Burst429)
            {
                throw RateLimiter.Limited("global-rate");
            }

            await DelayAsync(context.RequestAborted);
            switch (fault)
            {
                case FaultKind.Reset:
                    status = 0;
                    context.Abort();
                    return;
                case FaultKind.Hang:
                    status = 0;
                    await Task.Delay(TimeSpan.FromSeconds(faults.Settings.HangSeconds), context.RequestAborted);
                    context.Abort();
                    return;
                case FaultKind.ServerError:
                    throw new StripeErrorException(StripeError.ServerError(faults.ServerErrorStatus()));
            }

            var body = handler(caller);
            await WriteAsync(context, 200, body, fault);
            status = fault is FaultKind.Truncate ? 0 : 200;
        }
        catch (StripeErrorException error)
        {
            if (error.Data[RateLimiter.ReasonKey] is string reason)
            {
                response.Headers[RateLimiter.ReasonKey] = reason;
            }
            await WriteAsync(context, error.Error.Status, error.Error.ToJson(), FaultKind.None);
            status = error.Error.Status;
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
            status = 0;
        }
        finally
        {
            stats.Record(endpoint, credential, status, fault != FaultKind.None);
        }
    }

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        if (options.LatencyMs <= 0)
        {
            return;
        }
        var jitter = options.JitterMs > 0 ? Random.Shared.Next(-options.JitterMs, options.JitterMs + 1) : 0;
        await Task.Delay(Math.Max(0, options.LatencyMs + jitter), cancellationToken);
    }

    private async Task WriteAsync(HttpContext context, int status, byte[] body, FaultKind fault)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        switch (fault)
        {
            case FaultKind.Truncate:
                // The promised length, half the bytes, then the connection goes.
                response.ContentLength = body.Length;
                await response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                logger.LogDebug("Truncated a response after {Bytes} of {Total} bytes", body.Length / 2, body.Length);
                context.Abort();
                return;
            case FaultKind.Malformed:
                var cut = body.AsMemory(0, body.Length / 2);
                response.ContentLength = cut.Length;
                await response.Body.WriteAsync(cut, context.RequestAborted);
                return;
            default:
                response.ContentLength = body.Length;
                await response.Body.WriteAsync(body, context.RequestAborted);
                return;
        }
    }
}
