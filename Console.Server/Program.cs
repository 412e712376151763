using OpsConsole.Server.Api;
using OpsConsole.Server.Audit;
using OpsConsole.Server.Auth;
using OpsConsole.Server.Checkpoints;
using OpsConsole.Server.Configuration;
using OpsConsole.Server.Costs;
using OpsConsole.Server.Data;
using OpsConsole.Server.Grafana;
using OpsConsole.Server.Health;
using OpsConsole.Server.Logs;
using OpsConsole.Server.Metrics;
using OpsConsole.Server.Notifications;
using OpsConsole.Server.Quality;
using OpsConsole.Server.Runs;
using OpsConsole.Server.Schedules;
using OpsConsole.Server.Security;
using OpsConsole.Server.Sources;
using OpsConsole.Server.Tables;
using OpsConsole.Server.Ui;

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddDataStore();
    builder.AddAudit();
    builder.AddNotifications();
    builder.AddConsoleAuth();
    builder.AddConsoleMetrics();
    builder.AddConsoleApi();
    builder.AddConsoleUi();
    builder.AddProxySupport();
    builder.AddEmbeddedSandbox();
    builder.AddLogs();
    builder.AddRuns();
    builder.AddCheckpoints();
    builder.AddSchedules();
    builder.AddQuality();
    builder.AddCosts();
    builder.AddTables();
    builder.AddGrafanaPanels();

    var app = builder.Build();

    app.UseProxySupport();
    app.UseSecurityHeaders();
    app.UseSameOriginGuard();
    app.UseConsoleApiErrors();
    // Routing after the status-code pages, so an address with nothing behind it is routed again to the 404 page.
    app.UseRouting();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseAntiforgery();

    app.MapConsoleHealth();
    app.MapConsoleMetrics();
    app.MapConsoleApi();
    app.MapAuthApi();
    app.MapRuns();
    app.MapLogs();
    app.MapCheckpointsApi();
    app.MapSchedules();
    app.MapAuditApi();
    app.MapNotificationsApi();
    app.MapQualityApi();
    app.MapCostsApi();
    app.MapTablesApi();
    app.MapConsoleUi();

    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (ConfigurationErrors.Describe(exception) is { Count: > 0 } errors)
{
    // A wrong setting stops the console with every problem, each naming its key.
    await Console.Error.WriteLineAsync("OpsConsole cannot start: invalid configuration.");
    foreach (var error in errors)
    {
        await Console.Error.WriteLineAsync($"  {error}");
    }
    return 2;
}

/// <summary>The console host's entry point (public for integration tests).</summary>
public partial class Program;
