using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Data;

public static class DataStoreExtensions
{
    /// <summary>
    /// The data folder, the embedded SQLite database (migrated before anything else starts) and the URIs of the
    /// stores shared with the jobs (the lake opened on first use).
    /// </summary>
    public static WebApplicationBuilder AddDataStore(this WebApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable(DataOptions.EnvironmentVariable) is { Length: > 0 } folder)
        {
            builder.Configuration[$"{DataOptions.Section}:{nameof(DataOptions.Path)}"] = folder;
        }

        builder.Services.AddValidatedOptions<DataOptions, DataOptionsValidator>(DataOptions.Section);
        builder.Services.AddOptions<StoreOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.StateUri = configuration[$"{StoreOptions.StateSection}:Uri"] ?? "";
                options.LakeUri = configuration[$"{StoreOptions.LakeSection}:Uri"] ?? "";
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        builder.Services.AddSingleton<ConsoleLake>();
        builder.Services.TryAddSingleton<SqliteDatabase>();
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHealthChecks().AddCheck<SqliteHealthCheck>("sqlite", tags: ["ready"]);
        return builder;
    }
}
