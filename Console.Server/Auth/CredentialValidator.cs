using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Metrics;

namespace OpsConsole.Server.Auth;

/// <summary>
/// Checks a user name and password for every way of signing in (the sign-in page and HTTP Basic), with one
/// lockout counter per user and client address: guesses from one address lock that address out (longer each time),
/// so nobody elsewhere can keep a user locked out. Checks of one user's password run one at a time, each after reading the lockout state, so parallel
/// guesses cannot get past the limit, while parallel requests with the right password simply wait their turn.
/// Unknown and locked-out users cost the same time as a real check. (One console process owns the embedded database;
/// several instances over a shared store would need the counter reserved in the store instead.)
/// </summary>
public sealed class CredentialValidator(
    UserStore users,
    IOptionsMonitor<AuthOptions> options,
    TimeProvider time,
    ConsoleMetrics metrics,
    SignInThrottle throttle,
    OpsConsole.Shared.Audit.IAuditLog audit,
    ILogger<CredentialValidator> logger)
{
    private static readonly string DecoyHash = PasswordHasher.Hash(Guid.NewGuid().ToString());

    /// <summary>How long a verified name and password pair is trusted without another PBKDF2 check.</summary>
    private static readonly TimeSpan VerifiedFor = TimeSpan.FromMinutes(5);

    private const int MaxVerified = 1024;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Failed sign-ins recorded in the audit log per minute at most.</summary>
    public const int MaxFailedSignInEntriesPerMinute = 60;

    private readonly Lock _auditBudgetLock = new();
    private long _auditMinute;
    private int _auditedThisMinute;
    private int _notAudited;

    // Scripts using HTTP Basic send the password with every request; one PBKDF2 check each (about 0.1 s of CPU, one user
    // at a time) would cap them at a few requests a second. A pair verified recently is remembered as an HMAC under a key
    // that never leaves this process, together with the user's security stamp, so a password or role change ends it.
    private readonly byte[] _verifiedKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (string Stamp, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

    public async Task<CredentialCheck> CheckAsync(string userName, string password, string method, string address, CancellationToken cancellationToken = default)
    {
        var user = UserNames.IsValid(userName) ? await users.FindAsync(userName, cancellationToken) : null;
        if (user is null)
        {
            return await UnknownAsync(password, method, address, cancellationToken);
        }
        var fingerprint = Fingerprint(user.Name, password);
        if (await RecentlyVerifiedAsync(user, fingerprint, address, cancellationToken))
        {
            metrics.SignIn(method, "succeeded");
            return CredentialCheck.Success(user);
        }

        var settings = options.CurrentValue;
        var turn = _turns.GetOrAdd(user.Name, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            // Read again inside the turn: the previous check of this user may have just locked it.
            user = await users.FindAsync(user.Name, cancellationToken);
            if (user is null)
            {
                return await UnknownAsync(password, method, address, cancellationToken);
            }
            // A request with the same name and password may have verified them while this one waited (a script's
            // parallel first calls): no second hash, and no sign-in permit spent on it.
            if (await RecentlyVerifiedAsync(user, fingerprint, address, cancellationToken))
            {
                metrics.SignIn(method, "succeeded");
                return CredentialCheck.Success(user);
            }
            using var permit = await throttle.AcquireAsync(address, cancellationToken);
            if (!permit.Granted)
            {
                return Throttled(method, permit);
            }
            if (await users.LockedUntilAsync(user.Name, address, cancellationToken) is { } locked)
            {
                PasswordHasher.Verify(password, DecoyHash);
                return await FailAsync(CredentialCheck.Locked(user, locked), user.Name, method, "locked out");
            }
            if (!PasswordHasher.Verify(password, user.PasswordHash))
            {
                if (await users.RecordFailureAsync(user.Name, address, settings.MaxFailedSignIns, TimeSpan.FromMinutes(settings.LockoutMinutes), cancellationToken)
                    is { } until)
                {
                    logger.LogWarning("User {User} is locked out from {Address} until {Until:u} after {Count} failed sign-ins",
                        user.Name, address, until, settings.MaxFailedSignIns);
                    return await FailAsync(CredentialCheck.Locked(user, until), user.Name, method, "wrong password, now locked out");
                }
                return await FailAsync(CredentialCheck.Invalid, user.Name, method, "wrong password");
            }
            if (user.FailedSignIns > 0)
            {
                await users.RecordSuccessAsync(user.Name, address, cancellationToken);
            }
            if (_verified.Count >= MaxVerified)
            {
                _verified.Clear();
            }
            _verified[fingerprint] = (user.SecurityStamp, time.GetUtcNow() + VerifiedFor);
        }
        finally
        {
            turn.Release();
        }

        metrics.SignIn(method, "succeeded");
        return CredentialCheck.Success(user);
    }

    /// <summary>
    /// Whether this name and password were verified a moment ago for this user as it is now (same security stamp) and
    /// this address is not locked out. The user row already says whether any address is locked out: only then is this
    /// address looked up.
    /// </summary>
    private async Task<bool> RecentlyVerifiedAsync(StoredUser user, string fingerprint, string address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return _verified.TryGetValue(fingerprint, out var verified) && verified.Stamp == user.SecurityStamp && verified.Until > now
            && (!user.IsLockedOut(now) || await users.LockedUntilAsync(user.Name, address, cancellationToken) is null);
    }

    /// <summary>A name no user has: the same hashing time as a real check (with a permit), then refused.</summary>
    private async Task<CredentialCheck> UnknownAsync(string password, string method, string address, CancellationToken cancellationToken)
    {
        using var permit = await throttle.AcquireAsync(address, cancellationToken);
        if (!permit.Granted)
        {
            return Throttled(method, permit);
        }
        PasswordHasher.Verify(password, DecoyHash);
        // The typed name is not logged: people type passwords into the name field.
        return await FailAsync(CredentialCheck.Invalid, "an unknown user", method, "unknown user");
    }

    private CredentialCheck Throttled(string method, SignInThrottle.Permit permit)
    {
        metrics.SignIn(method, "throttled");
        return CredentialCheck.Throttled(permit.RetryAfter!.Value);
    }

    /// <summary>The client's address as lockouts key it (behind a trusted proxy, the forwarded one).</summary>
    public static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private string Fingerprint(string name, string password) =>
        Convert.ToHexString(HMACSHA256.HashData(_verifiedKey, Encoding.UTF8.GetBytes($"{name.ToUpperInvariant()}\0{password}")));

    /// <summary>
    /// Failed sign-ins cost nothing to send, and audit entries cannot be deleted: attempts on an account that is already
    /// locked are not recorded (its lockout is), and at most <see cref="MaxFailedSignInEntriesPerMinute"/> entries a
    /// minute are; the next entry says how many were left out.
    /// </summary>
    private bool ShouldAudit(string reason, out int suppressed)
    {
        suppressed = 0;
        if (reason == "locked out")
        {
            return false;
        }
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_auditBudgetLock)
        {
            if (minute != _auditMinute)
            {
                _auditMinute = minute;
                _auditedThisMinute = 0;
            }
            if (_auditedThisMinute >= MaxFailedSignInEntriesPerMinute)
            {
                _notAudited++;
                return false;
            }
            _auditedThisMinute++;
            suppressed = _notAudited;
            _notAudited = 0;
            return true;
        }
    }

    private async Task<CredentialCheck> FailAsync(CredentialCheck result, string userName, string method, string reason)
    {
        metrics.SignIn(method, result.LockedUntil is null ? "failed" : "locked_out");
        logger.LogWarning("Failed {Method} sign-in for {User}: {Reason}", method, userName, reason);
        if (!ShouldAudit(reason, out var suppressed))
        {
            return result;
        }
        try
        {
            await audit.AppendAsync(new OpsConsole.Shared.Audit.AuditEntry
            {
                Actor = userName,
                Action = OpsConsole.Shared.Audit.AuditActions.SignInFailed,
                Target = method,
                Reason = suppressed == 0 ? reason : $"{reason} (and {suppressed} more failed sign-ins in the previous minute, not recorded one by one)",
                Outcome = result.LockedUntil is { } until ? $"locked out until {until:u}" : "refused",
            }, CancellationToken.None);
        }
        catch (OpsConsole.Shared.Storage.StoreUnavailableException exception)
        {
            logger.LogError(exception, "The failed sign-in could not be written to the audit log");
        }
        return result;
    }
}
