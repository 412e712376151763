using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsConsole.Server.Data;

/// <summary>Ready when the SQLite database answers a query, is at the expected schema version and takes a write.</summary>
internal sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await database.SchemaVersionAsync(cancellationToken);
            if (version != Schema.Migrations.Count)
            {
                return HealthCheckResult.Unhealthy($"schema version {version}, expected {Schema.Migrations.Count}");
            }
            await database.ProbeWriteAsync(cancellationToken);
            return HealthCheckResult.Healthy($"schema version {version}, writable");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy($"cannot use {Path.GetFileName(database.FilePath)}: {exception.Message}");
        }
    }
}
