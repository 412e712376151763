using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Data;

public static class DataStoreExtensions
{
    /// <summary>The data folder and the embedded SQLite database, migrated before anything else starts.</summary>
    public static WebApplicationBuilder AddDataStore(this WebApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable(DataOptions.EnvironmentVariable) is { Length: > 0 } folder)
        {
            builder.Configuration[$"{DataOptions.Section}:{nameof(DataOptions.Path)}"] = folder;
        }

        builder.Services.AddValidatedOptions<DataOptions, DataOptionsValidator>(DataOptions.Section);
        builder.Services.TryAddSingleton<SqliteDatabase>();
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHealthChecks().AddCheck<SqliteHealthCheck>("sqlite", tags: ["ready"]);
        return builder;
    }
}
