using Microsoft.Extensions.Options;
using OpsConsole.Server.Metrics;

namespace OpsConsole.Server.Auth;

/// <summary>
/// Checks a user name and password for every way of signing in (the sign-in page and HTTP Basic), with one
/// lockout counter, counted before the password is checked so parallel guesses cannot pass it. Unknown and
/// locked-out users cost the same time as a real check.
/// </summary>
public sealed class CredentialValidator(
    UserStore users,
    IOptionsMonitor<AuthOptions> options,
    TimeProvider time,
    ConsoleMetrics metrics,
    ILogger<CredentialValidator> logger)
{
    private static readonly string DecoyHash = PasswordHasher.Hash(Guid.NewGuid().ToString());

    public async Task<CredentialCheck> CheckAsync(string userName, string password, string method, CancellationToken cancellationToken = default)
    {
        var user = UserNames.IsValid(userName) ? await users.FindAsync(userName, cancellationToken) : null;
        if (user is null)
        {
            PasswordHasher.Verify(password, DecoyHash);
            // The typed name is not logged: people type passwords into the name field.
            return Fail(CredentialCheck.Invalid, "an unknown user", method, "unknown user");
        }

        var settings = options.CurrentValue;
        var (allowed, lockedUntil) = await users.ReserveAttemptAsync(
            user.Name, settings.MaxFailedSignIns, TimeSpan.FromMinutes(settings.LockoutMinutes), cancellationToken);
        if (!allowed)
        {
            PasswordHasher.Verify(password, DecoyHash);
            return Fail(CredentialCheck.Locked(user, lockedUntil ?? time.GetUtcNow()), user.Name, method, "locked out");
        }

        if (!PasswordHasher.Verify(password, user.PasswordHash))
        {
            if (lockedUntil is { } until)
            {
                logger.LogWarning("User {User} is locked out until {Until:u} after {Count} failed sign-ins",
                    user.Name, until, settings.MaxFailedSignIns);
                return Fail(CredentialCheck.Locked(user, until), user.Name, method, "wrong password, now locked out");
            }
            return Fail(CredentialCheck.Invalid, user.Name, method, "wrong password");
        }

        await users.RecordSuccessAsync(user.Name, cancellationToken);
        metrics.SignIn(method, "succeeded");
        return CredentialCheck.Success(user);
    }

    private CredentialCheck Fail(CredentialCheck result, string userName, string method, string reason)
    {
        metrics.SignIn(method, result.LockedUntil is null ? "failed" : "locked_out");
        logger.LogWarning("Failed {Method} sign-in for {User}: {Reason}", method, userName, reason);
        return result;
    }
}
