using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>Local users in the embedded SQLite database. Names are case-insensitive.</summary>
public sealed class UserStore(SqliteDatabase database, TimeProvider time) : IUserDirectory
{
    // A user's failed sign-ins and latest lockout over every address, for the Users page.
    private const string Columns = """
        name, role, password_hash, security_stamp,
        (SELECT COALESCE(SUM(failures), 0) FROM sign_in_lockouts l WHERE l.user_name = users.name),
        (SELECT MAX(locked_until) FROM sign_in_lockouts l WHERE l.user_name = users.name),
        created_at
        """;

    /// <summary>After this long without a failed sign-in from an address, its failures and strikes are forgotten.</summary>
    private static readonly TimeSpan StrikesKept = TimeSpan.FromHours(24);

    /// <summary>The longest one lockout lasts, however many strikes.</summary>
    private static readonly TimeSpan LongestLockout = TimeSpan.FromHours(24);

    public async Task<StoredUser?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM users WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM users ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var now = time.GetUtcNow();
        var users = new List<UserSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(Read(reader).ToSummary(now));
        }
        return users;
    }

    /// <summary>Creates a user; returns false when the name is taken.</summary>
    public async Task<bool> CreateAsync(string name, ConsoleRole role, string password, CancellationToken cancellationToken = default)
    {
        UserNames.Validate(name);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users (name, role, password_hash, security_stamp, created_at, updated_at)
            VALUES ($name, $role, $hash, $stamp, $now, $now)
            ON CONFLICT (name) DO NOTHING
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$role", role.ToString());
        command.Parameters.AddWithValue("$hash", PasswordHasher.Hash(password));
        command.Parameters.AddWithValue("$stamp", NewStamp());
        command.Parameters.AddWithValue("$now", now);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Sets a new password; open sessions of the user end at their next revalidation.</summary>
    public async Task<bool> SetPasswordAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET password_hash = $hash, security_stamp = $stamp, updated_at = $now WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$hash", PasswordHasher.Hash(password));
        command.Parameters.AddWithValue("$stamp", NewStamp());
        command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>When the user's lockout for sign-ins from <paramref name="address"/> ends, or null when it is not locked.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string name, string address, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT locked_until FROM sign_in_lockouts WHERE user_name = $name AND address = $address AND locked_until > $now";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$address", address);
        command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync(cancellationToken) is long until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null;
    }

    /// <summary>
    /// Counts a failed sign-in of <paramref name="name"/> from <paramref name="address"/>; the one that reaches
    /// <paramref name="maxFailures"/> locks that address out: for <paramref name="lockout"/> the first time, twice as long
    /// each time after (at most 24 hours), until a day passes without a failure from there. Returns the lock's end when
    /// it is now locked. Callers check one user at a time.
    /// </summary>
    public async Task<DateTimeOffset?> RecordFailureAsync(string name, string address, int maxFailures, TimeSpan lockout, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var (failures, strikes) = (0, 0);
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT failures, strikes, locked_until FROM sign_in_lockouts WHERE user_name = $name AND address = $address AND updated_at > $kept";
            read.Parameters.AddWithValue("$name", name);
            read.Parameters.AddWithValue("$address", address);
            read.Parameters.AddWithValue("$kept", (now - StrikesKept).ToUnixTimeMilliseconds());
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                // A lockout that has run out starts a new count (its failures stay on the row while it lasts, for the Users page).
                (failures, strikes) = (reader.IsDBNull(2) ? reader.GetInt32(0) : 0, reader.GetInt32(1));
            }
        }
        DateTimeOffset? until = null;
        if (++failures >= maxFailures)
        {
            strikes++;
            var length = TimeSpan.FromTicks(Math.Min(LongestLockout.Ticks, lockout.Ticks * (1L << Math.Min(strikes - 1, 20))));
            until = now + length;
        }
        await using (var write = connection.CreateCommand())
        {
            write.Transaction = transaction;
            write.CommandText = """
                INSERT INTO sign_in_lockouts (user_name, address, failures, strikes, locked_until, updated_at)
                VALUES ($name, $address, $failures, $strikes, $until, $now)
                ON CONFLICT (user_name, address) DO UPDATE SET
                    failures = excluded.failures, strikes = excluded.strikes, locked_until = excluded.locked_until, updated_at = excluded.updated_at
                """;
            write.Parameters.AddWithValue("$name", name);
            write.Parameters.AddWithValue("$address", address);
            write.Parameters.AddWithValue("$failures", failures);
            write.Parameters.AddWithValue("$strikes", strikes);
            write.Parameters.AddWithValue("$until", until is { } end ? end.ToUnixTimeMilliseconds() : DBNull.Value);
            write.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return until;
    }

    /// <summary>A right password from an address forgets that address's failures and strikes.</summary>
    public async Task RecordSuccessAsync(string name, string address, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM sign_in_lockouts WHERE user_name = $name AND address = $address";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$address", address);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets every failed sign-in and lockout of the user, from every address; true when there were any.</summary>
    public async Task<bool> ClearLockoutsAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM sign_in_lockouts WHERE user_name = $name";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> UnlockAsync(string name, string actor, CancellationToken cancellationToken = default)
    {
        var before = await FindAsync(name, cancellationToken);
        if (before is null)
        {
            return false;
        }
        // The lockouts go and the audit entry is written in one transaction.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM sign_in_lockouts WHERE user_name = $name";
            command.Parameters.AddWithValue("$name", name);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await Audit.SqliteAuditLog.InsertAsync(connection, transaction, new OpsConsole.Shared.Audit.AuditEntry
        {
            Actor = actor,
            Action = OpsConsole.Shared.Audit.AuditActions.UserUnlock,
            Target = name,
            Before = System.Text.Json.JsonSerializer.Serialize(new { failedSignIns = before?.FailedSignIns, lockedUntil = before?.LockedUntil }),
            After = System.Text.Json.JsonSerializer.Serialize(new { failedSignIns = 0, lockedUntil = (DateTimeOffset?)null }),
        }, time, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static StoredUser Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        Enum.Parse<ConsoleRole>(reader.GetString(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt32(4),
        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));

    private static string NewStamp() => Guid.NewGuid().ToString("N");
}
