using Microsoft.Extensions.Options;
using OpsConsole.Server.Api;
using OpsConsole.Server.Auth;
using OpsConsole.Server.Data;
using OpsConsole.Server.Health;
using OpsConsole.Server.Metrics;
using OpsConsole.Server.Security;
using OpsConsole.Server.Ui;

var builder = WebApplication.CreateBuilder(args);

builder.AddDataStore();
builder.AddConsoleAuth();
builder.AddConsoleMetrics();
builder.AddConsoleApi();
builder.AddConsoleUi();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseConsoleApiErrors();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapConsoleHealth();
app.MapConsoleMetrics();
app.MapConsoleApi();
app.MapAuthApi();
app.MapConsoleUi();

try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    // A wrong setting stops the console with every problem, each naming its key.
    await Console.Error.WriteLineAsync("OpsConsole cannot start: invalid configuration.");
    foreach (var failure in exception.Failures)
    {
        await Console.Error.WriteLineAsync($"  {failure}");
    }
    return 2;
}

/// <summary>The console host's entry point (public for integration tests).</summary>
public partial class Program;
