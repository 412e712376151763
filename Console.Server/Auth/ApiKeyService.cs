using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.AspNetCore.WebUtilities;
using OpsConsole.Server.Audit;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Auth;

/// <summary>
/// Per-user API keys. A key is <c>opsk_</c> plus 256 random bits; only its SHA-256 is stored (a key has full
/// entropy, so a fast hash is enough), with its first characters so owners can tell keys apart.
/// </summary>
public sealed class ApiKeyService(SqliteDatabase database, UserStore users, TimeProvider time) : IApiKeyService
{
    public const string SecretPrefix = "opsk_";
    public const int MaxKeysPerUser = 20;
    public const int MaxNameLength = 100;

    private const int ShownPrefixLength = 12;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, name, prefix, created_at, last_used_at, scope, expires_at FROM api_keys
            WHERE owner = $owner AND revoked_at IS NULL ORDER BY created_at DESC, id
            """;
        command.Parameters.AddWithValue("$owner", owner);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyInfo(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
            {
                Scope = Enum.Parse<ApiKeyScope>(reader.GetString(5)),
                ExpiresAt = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
            });
        }
        return keys;
    }

    public async Task<CreatedApiKey> CreateAsync(string owner, NewApiKey request, CancellationToken cancellationToken = default)
    {
        var name = (request.Name ?? "").Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new InvalidFieldException("name", $"Name must be 1 to {MaxNameLength} characters.");
        }
        if (!Enum.IsDefined(request.Scope))
        {
            throw new InvalidFieldException("scope", "must be read or operate.");
        }
        if (request.ExpiresInDays is < 1 or > NewApiKey.MaxDays)
        {
            throw new InvalidFieldException("expiresInDays", $"must be between 1 and {NewApiKey.MaxDays} days, or left out for a key that lives until revoked.");
        }

        var secret = SecretPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var key = new ApiKeyInfo(Guid.NewGuid().ToString("N"), name, secret[..ShownPrefixLength], now, null)
        {
            Scope = request.Scope,
            ExpiresAt = request.ExpiresInDays is { } days ? now.AddDays(days) : null,
        };

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT COUNT(*) FROM api_keys WHERE owner = $owner AND revoked_at IS NULL";
            count.Parameters.AddWithValue("$owner", owner);
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! >= MaxKeysPerUser)
            {
                throw new InvalidFieldException("name", $"{owner} already has {MaxKeysPerUser} API keys: revoke one first.");
            }
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO api_keys (id, owner, name, prefix, secret_hash, created_at, scope, expires_at)
                SELECT $id, name, $name, $prefix, $hash, $now, $scope, $expires FROM users WHERE name = $owner
                """;
            insert.Parameters.AddWithValue("$id", key.Id);
            insert.Parameters.AddWithValue("$owner", owner);
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$prefix", key.Prefix);
            insert.Parameters.AddWithValue("$hash", HashOf(secret));
            insert.Parameters.AddWithValue("$now", key.CreatedAt.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$scope", key.Scope.ToString());
            insert.Parameters.AddWithValue("$expires", (object?)key.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new InvalidOperationException($"There is no user '{owner}'.");
            }
        }

        // The key and its audit entry commit together: a database that refuses the entry keeps no key either.
        await SqliteAuditLog.InsertAsync(connection, transaction, new AuditEntry
        {
            Actor = owner,
            Action = AuditActions.ApiKeyCreate,
            Target = key.Id,
            After = System.Text.Json.JsonSerializer.Serialize(new { id = key.Id, name = key.Name, scope = key.Scope.ToString().ToLowerInvariant(), expiresAt = key.ExpiresAt }),
        }, time, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreatedApiKey(key, secret);
    }

    public async Task<bool> RevokeAsync(string owner, string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "UPDATE api_keys SET revoked_at = $now WHERE id = $id AND owner = $owner AND revoked_at IS NULL";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }
        await SqliteAuditLog.InsertAsync(connection, transaction, new AuditEntry
        {
            Actor = owner,
            Action = AuditActions.ApiKeyRevoke,
            Target = id,
            Before = System.Text.Json.JsonSerializer.Serialize(new { id, revoked = false }),
            After = System.Text.Json.JsonSerializer.Serialize(new { id, revoked = true }),
        }, time, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The user a secret belongs to, acting with the key's scope (its role capped by it), or why not: unknown or
    /// revoked, or expired.
    /// </summary>
    public async Task<(StoredUser? User, string? Problem)> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        const string Unknown = "The API key is unknown or revoked.";
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return (null, Unknown);
        }

        var hash = HashOf(secret);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        string owner;
        ApiKeyScope scope;
        bool stale;
        await using (var find = connection.CreateCommand())
        {
            find.CommandText = "SELECT owner, scope, expires_at, last_used_at FROM api_keys WHERE secret_hash = $hash AND revoked_at IS NULL";
            find.Parameters.AddWithValue("$hash", hash);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return (null, Unknown);
            }
            if (!reader.IsDBNull(2) && DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)) is var expires && expires <= now)
            {
                return (null, $"The API key expired at {expires:u}: create a new one.");
            }
            (owner, scope) = (reader.GetString(0), Enum.Parse<ApiKeyScope>(reader.GetString(1)));
            stale = reader.IsDBNull(3) || reader.GetInt64(3) < (now - LastUsedResolution).ToUnixTimeMilliseconds();
        }

        // Written at most once a minute a key: an UPDATE takes SQLite's write lock even when it changes nothing, and a
        // script calling many times a second would queue every request behind the others' writes.
        if (stale)
        {
            await using var touch = connection.CreateCommand();
            touch.CommandText = """
                UPDATE api_keys SET last_used_at = $now
                WHERE secret_hash = $hash AND (last_used_at IS NULL OR last_used_at < $stale)
                """;
            touch.Parameters.AddWithValue("$hash", hash);
            touch.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            touch.Parameters.AddWithValue("$stale", (now - LastUsedResolution).ToUnixTimeMilliseconds());
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }
        return await users.FindAsync(owner, cancellationToken) is { } user
            ? (user with { Role = NewApiKey.EffectiveRole(user.Role, scope) }, null)
            : (null, Unknown);
    }

    private static byte[] HashOf(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
