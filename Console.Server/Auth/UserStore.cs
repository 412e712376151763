using Microsoft.Data.Sqlite;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>Local users in the embedded SQLite database. Names are case-insensitive.</summary>
public sealed class UserStore(SqliteDatabase database, TimeProvider time, OpsConsole.Shared.Audit.IAuditLog audit) : IUserDirectory
{
    private const string Columns = "name, role, password_hash, security_stamp, failed_sign_ins, locked_until, created_at";

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

    /// <summary>
    /// Counts a failed sign-in; the one that reaches <paramref name="maxFailures"/> locks the account for
    /// <paramref name="lockout"/>. Returns the lock's end when the account is now locked.
    /// </summary>
    public async Task<DateTimeOffset?> RecordFailureAsync(string name, int maxFailures, TimeSpan lockout, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE users SET
                locked_until    = CASE WHEN failed_sign_ins + 1 >= $max THEN $until ELSE NULL END,
                failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $max THEN 0 ELSE failed_sign_ins + 1 END,
                updated_at      = $now
            WHERE name = $name
            RETURNING locked_until
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$max", maxFailures);
        command.Parameters.AddWithValue("$until", (now + lockout).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0) ? DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)) : null;
    }

    public async Task RecordSuccessAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> UnlockAsync(string name, string actor, CancellationToken cancellationToken = default)
    {
        var before = await FindAsync(name, cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, updated_at = $now WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return false;
        }
        await audit.AppendAsync(new OpsConsole.Shared.Audit.AuditEntry
        {
            Actor = actor,
            Action = OpsConsole.Shared.Audit.AuditActions.UserUnlock,
            Target = name,
            Before = System.Text.Json.JsonSerializer.Serialize(new { failedSignIns = before?.FailedSignIns, lockedUntil = before?.LockedUntil }),
            After = System.Text.Json.JsonSerializer.Serialize(new { failedSignIns = 0, lockedUntil = (DateTimeOffset?)null }),
        }, CancellationToken.None);
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
