using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsConsole.Server.Data;

/// <summary>Ready when the SQLite database answers a query and is at the expected schema version.</summary>
internal sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await database.SchemaVersionAsync(cancellationToken);
            return version == Schema.Migrations.Count
                ? HealthCheckResult.Healthy($"schema version {version}")
                : HealthCheckResult.Unhealthy($"schema version {version}, expected {Schema.Migrations.Count}");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy($"cannot query {Path.GetFileName(database.FilePath)}: {exception.Message}");
        }
    }
}
