namespace OpsConsole.Server.Data;

/// <summary>Migrates the database at start, before the hosted services registered after it.</summary>
internal sealed class DatabaseMigrator(SqliteDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
