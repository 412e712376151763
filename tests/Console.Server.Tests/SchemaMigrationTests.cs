using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runners;
using OpsConsole.Server.Runs;

namespace OpsConsole.Server.Tests;

public sealed class SchemaMigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"migrate-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Migrate_DatabaseWithLocalProcessIds_KeepsEachRunsJobAsAHandle()
    {
        var options = Options.Create(new DataOptions { Path = _folder });
        Directory.CreateDirectory(_folder);
        // A database as the console before runner handles left it: every migration but the last, a run with its process.
        await using (var connection = new SqliteConnection($"Data Source={options.Value.DatabaseFile}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // A database at version 5: before migration 6 turned process ids into job handles.
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                + string.Join(";\n", Schema.Migrations.Take(5))
                + $"""
                ;
                INSERT INTO schema_version (version) VALUES (5);
                INSERT INTO runs (id, source, stream, mode, workers, state, created_at, launched_by, attempts, pid, pid_started)
                VALUES ('run-old', 'stripe', 'charges', 'incremental', 8, 'Running', 1790000000000, 'operator', 1, 4242, 987654);
                INSERT INTO runs (id, source, stream, mode, workers, state, created_at, launched_by, attempts)
                VALUES ('run-pending', 'stripe', 'refunds', 'incremental', 8, 'Pending', 1790000000000, 'operator', 0);
                """;
            await command.ExecuteNonQueryAsync();
        }
        var database = new SqliteDatabase(options, NullLogger<SqliteDatabase>.Instance);

        await database.MigrateAsync();

        var store = new SqliteRunStore(database);
        Assert.Equal(new JobHandle("local", "run-old:4242:987654"), await store.HandleAsync("run-old"));
        Assert.Null(await store.HandleAsync("run-pending"));
        Assert.Equal(Schema.Migrations.Count, await database.SchemaVersionAsync());
        Assert.Equal("Running", (await store.GetAsync("run-old"))!.State.ToString());
    }
}
