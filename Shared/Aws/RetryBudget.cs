using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Aws;

/// <summary>
/// The storage's own retry budget above the SDK's standard retries: an operation that keeps failing for a transient
/// reason (5xx, throttling such as <c>SlowDown</c> or <c>ProvisionedThroughputExceededException</c>, a reset or
/// timed-out connection) is tried again with growing, jittered pauses until the budget is spent, then fails as
/// <see cref="StoreUnavailableException"/> naming what it was doing (bucket and key, or table and entry). Anything
/// else fails at once, with the same kind of message. Compiled into the lake and the state projects (both talk to AWS).
/// <para>
/// The clients use the SDK's standard retry mode, not the adaptive one: under the fault proxy (one request in eight
/// failing), two early <c>SlowDown</c> answers made the adaptive mode's client-side rate limiter, which had measured only
/// a handful of requests, hold one read back so long that two attempts of it took 55.4 s, each ending in "capacity could
/// not be obtained", so the run spent its whole budget on that read and exited 5; with the standard mode and this budget the same run ends in
/// 4 to 6 s, three times out of three (tests/SparkJobs.Tests/AwsFaultTests.cs).
/// </para>
/// </summary>
internal sealed class RetryBudget(TimeSpan budget)
{
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "RequestThrottled",
        "ProvisionedThroughputExceededException", "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
        "InternalServerError", "ServiceUnavailable", "TransactionInProgressException", "ConditionalRequestConflict",
    };

    public TimeSpan Budget => budget;

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds or the budget is spent. Exceptions <paramref name="passThrough"/>
    /// accepts leave as they are (a 404 or a failed condition is an answer, not a failure).
    /// </summary>
    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken,
        Func<Exception, bool>? passThrough = null)
    {
        var started = Stopwatch.GetTimestamp();
        AmazonServiceException? lastAnswer = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (Exception exception) when (passThrough?.Invoke(exception) == true)
            {
                throw;
            }
            catch (Exception exception) when (IsTransient(exception, cancellationToken))
            {
                lastAnswer = exception as AmazonServiceException ?? lastAnswer;
                if (!await PauseAsync(attempt, started, cancellationToken))
                {
                    throw new StoreUnavailableException(Spent(what, attempt, started, exception, lastAnswer), exception);
                }
            }
            catch (Exception exception) when (exception is (AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
                                                  and not StoreUnavailableException)
            {
                throw new StoreUnavailableException($"{what} failed: {Describe(exception)}", exception);
            }
        }
    }

    public Task RunAsync(string what, Func<CancellationToken, Task> action, CancellationToken cancellationToken, Func<Exception, bool>? passThrough = null) =>
        RunAsync(what, async token =>
        {
            await action(token);
            return true;
        }, cancellationToken, passThrough);

    /// <summary>Waits before the next attempt; false (without waiting) when that would pass the budget.</summary>
    private async Task<bool> PauseAsync(int attempt, long started, CancellationToken cancellationToken)
    {
        var pause = Pause(attempt);
        if (Stopwatch.GetElapsedTime(started) + pause > budget)
        {
            return false;
        }
        await Task.Delay(pause, cancellationToken);
        return true;
    }

    /// <summary>
    /// Why the budget ran out. When the SDK itself stopped retrying (its retry capacity drained), the service's last
    /// answer says more than the SDK's message, so it is named too.
    /// </summary>
    private string Spent(string what, int attempt, long started, Exception last, AmazonServiceException? lastAnswer)
    {
        for (var inner = last.InnerException; lastAnswer is null && inner is not null; inner = inner.InnerException)
        {
            lastAnswer = inner as AmazonServiceException;
        }
        var cause = last is AmazonServiceException || lastAnswer is null
            ? Describe(last)
            : $"{Describe(lastAnswer)} (then the SDK stopped retrying: {last.Message})";
        return $"{what} failed {attempt} time(s) in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s and the retry budget of {budget.TotalSeconds:0} s is spent: {cause}";
    }

    /// <summary>Exponential from 200 ms, capped at 5 s, with full jitter so racing writers do not retry in step.</summary>
    private static TimeSpan Pause(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(100, (int)Math.Min(5_000, 200 * Math.Pow(2, Math.Min(attempt, 10)))));

    internal static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        StoreUnavailableException => false, // already decided
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // the SDK's own timeout
        // The SDK gives up on its own when its retry quota (or, in adaptive mode, its send-token bucket) is drained
        // under throttling; it says so only in the message. The budget waits and tries again instead.
        AmazonClientException client when client.Message.Contains("capacity could not be obtained", StringComparison.Ordinal) => true,
        AmazonServiceException service => TransientCodes.Contains(service.ErrorCode ?? "") || (int)service.StatusCode >= 500
                                          || service.StatusCode == HttpStatusCode.TooManyRequests || (service.StatusCode == 0 && IsNetwork(service.InnerException)),
        _ => IsNetwork(exception),
    };

    private static bool IsNetwork(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is HttpRequestException or IOException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        return false;
    }

    private static string Describe(Exception exception) => exception switch
    {
        AmazonServiceException { ErrorCode.Length: > 0 } service => $"{service.ErrorCode} (HTTP {(int)service.StatusCode}): {service.Message}",
        AmazonServiceException service when service.StatusCode != 0 => $"HTTP {(int)service.StatusCode}: {service.Message}",
        _ => exception.Message,
    };
}
