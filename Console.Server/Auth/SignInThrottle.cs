using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Auth;

/// <summary>
/// Bounds the work password checks cause. A check costs about 0.1 s of CPU (PBKDF2), and an attempt with an unknown
/// user or a wrong password costs the sender nothing, so without a bound a few clients take every core. Before a
/// password is hashed the attempt takes a token from its client address's bucket, then one from the console's, then
/// one of the hashing slots (one fewer than the cores, at least one, with a short queue). An attempt refused by any of
/// them is answered 429 with Retry-After, without hashing. A recently verified name and password (HTTP Basic scripts)
/// is not hashed again and so never waits here.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly TokenBucketRateLimiter _overall;
    private readonly ConcurrencyLimiter _hashing;

    public SignInThrottle(IOptions<AuthOptions> options)
    {
        var settings = options.Value;
        _perAddress = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => Bucket(
            settings.SignInBurstPerAddress, settings.SignInsPerSecondPerAddress)));
        _overall = new TokenBucketRateLimiter(Bucket(settings.SignInBurst, settings.SignInsPerSecond));
        _hashing = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, Environment.ProcessorCount - 1),
            QueueLimit = settings.SignInBurst,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>
    /// A permit to hash one password for a client at <paramref name="address"/>, held while hashing; a refused one
    /// says when to try again.
    /// </summary>
    public async ValueTask<Permit> AcquireAsync(string address, CancellationToken cancellationToken)
    {
        using (var mine = _perAddress.AttemptAcquire(address))
        {
            if (!mine.IsAcquired)
            {
                return Permit.Refused(RetryAfter(mine));
            }
        }
        using (var shared = _overall.AttemptAcquire())
        {
            if (!shared.IsAcquired)
            {
                return Permit.Refused(RetryAfter(shared));
            }
        }
        var slot = await _hashing.AcquireAsync(1, cancellationToken);
        if (!slot.IsAcquired)
        {
            slot.Dispose();
            return Permit.Refused(TimeSpan.FromSeconds(1));
        }
        return new Permit(slot, null);
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _overall.Dispose();
        _hashing.Dispose();
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perSecond) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);

    /// <summary>A hashing slot (disposed when the check is done), or a refusal with the time to wait.</summary>
    public sealed class Permit(RateLimitLease? slot, TimeSpan? retryAfter) : IDisposable
    {
        public bool Granted => slot is not null;

        public TimeSpan? RetryAfter { get; } = retryAfter;

        public static Permit Refused(TimeSpan retryAfter) => new(null, retryAfter);

        public void Dispose() => slot?.Dispose();
    }
}
