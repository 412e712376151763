using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace OpsConsole.Server.Data;

/// <summary>
/// The embedded store: one SQLite file in the data folder, in WAL mode, migrated forward at start.
/// Every caller opens its own pooled connection.
/// </summary>
public sealed class SqliteDatabase(IOptions<DataOptions> options, ILogger<SqliteDatabase> logger)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = options.Value.DatabaseFile,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>The database file.</summary>
    public string FilePath { get; } = options.Value.DatabaseFile;

    /// <summary>
    /// Opens a connection with foreign keys enforced. SQLite opens a file it cannot write read-only, and the pool would
    /// hand that connection out again after the folder became writable: a pooled connection found read-only is
    /// dropped with its pool and opened afresh (read-only again only while the file still cannot be written).
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenOnceAsync(_connectionString, cancellationToken);
        if (!IsReadOnly(connection))
        {
            return connection;
        }
        SqliteConnection.ClearPool(connection);
        await connection.DisposeAsync();
        return await OpenOnceAsync(_connectionString, cancellationToken);
    }

    /// <summary>
    /// Whether the database takes a write now: a committed write to its probe row on a connection of its own (not
    /// pooled, so it sees the file as it is now). The readiness check asks this.
    /// </summary>
    public async Task ProbeWriteAsync(CancellationToken cancellationToken = default)
    {
        var unpooled = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        await using var connection = await OpenOnceAsync(unpooled, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO health_probe (id, at) VALUES (1, $at) ON CONFLICT (id) DO UPDATE SET at = excluded.at";
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The store-neutral error for a SQLite failure of this database, naming the file. The pool is cleared: a
    /// connection that failed (a read-only file, an I/O error) is not handed out again.
    /// </summary>
    public OpsConsole.Shared.Storage.StoreUnavailableException Unavailable(SqliteException exception)
    {
        SqliteConnection.ClearAllPools();
        return new($"The console's database {FilePath} failed: {exception.Message}", exception);
    }

    private static async Task<SqliteConnection> OpenOnceAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static bool IsReadOnly(SqliteConnection connection) => SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1;

    /// <summary>Creates the file if needed and applies every migration it has not seen, each in its own transaction.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await using var connection = await OpenAsync(cancellationToken);
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);";
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        var current = await CurrentVersionAsync(connection, cancellationToken);
        var latest = Schema.Migrations.Count;
        if (current > latest)
        {
            throw new InvalidOperationException(
                $"The database {FilePath} has schema version {current}, newer than this console knows ({latest}). Upgrade the console.");
        }

        for (var version = current + 1; version <= latest; version++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Schema.Migrations[version - 1] +
                "; DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($version);";
            command.Parameters.AddWithValue("$version", version);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied database migration {Version} to {File}", version, FilePath);
        }
    }

    /// <summary>Answers whether the database can be opened and queried.</summary>
    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await CurrentVersionAsync(connection, cancellationToken);
    }

    private static async Task<int> CurrentVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
