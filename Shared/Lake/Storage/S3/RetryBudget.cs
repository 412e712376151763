using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage.S3;

/// <summary>
/// The storage's own retry budget above the SDK's adaptive retries: an operation that keeps failing for a transient
/// reason (5xx, throttling such as <c>SlowDown</c> or <c>ProvisionedThroughputExceededException</c>, a reset or
/// timed-out connection) is tried again with growing, jittered pauses until the budget is spent, then fails as
/// <see cref="StoreUnavailableException"/> naming what it was doing (bucket and key, or table and entry). Anything
/// else fails at once, with the same kind of message.
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
                var elapsed = Stopwatch.GetElapsedTime(started);
                var pause = Pause(attempt);
                if (elapsed + pause > budget)
                {
                    throw new StoreUnavailableException(
                        $"{what} failed {attempt} time(s) in {elapsed.TotalSeconds:0.#} s and the retry budget of {budget.TotalSeconds:0} s is spent: {Describe(exception)}", exception);
                }
                await Task.Delay(pause, cancellationToken);
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

    /// <summary>Exponential from 200 ms, capped at 5 s, with full jitter so racing writers do not retry in step.</summary>
    private static TimeSpan Pause(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(100, (int)Math.Min(5_000, 200 * Math.Pow(2, Math.Min(attempt, 10)))));

    internal static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        StoreUnavailableException => false, // already decided
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // the SDK's own timeout
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
