using OpsConsole.Shared.Auth;
using OpsConsole.Web.Components;
using MudBlazor.Services;

namespace OpsConsole.Server.Ui;

public static class UiExtensions
{
    /// <summary>The Blazor Server UI from Console.Web: interactive server rendering everywhere, no prerendering.</summary>
    public static WebApplicationBuilder AddConsoleUi(this WebApplicationBuilder builder)
    {
        // Serves Console.Web's and MudBlazor's static files from their build locations in every environment.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
            options.SnackbarConfiguration.VisibleStateDuration = 6000;
            options.SnackbarConfiguration.PreventDuplicates = false;
        });
        // SecurityHeaders sends X-Frame-Options: DENY; antiforgery would add a second, weaker one.
        builder.Services.AddAntiforgery(options => options.SuppressXFrameOptionsHeader = true);
        return builder;
    }

    public static WebApplication MapConsoleUi(this WebApplication app)
    {
        EmbeddedScripts.EnsureEmbedded();
        app.MapStaticAssets().AllowAnonymous();
        app.MapEmbeddedScripts();
        app.MapRazorComponents<App>()
            // The console's own Content-Security-Policy already forbids framing (frame-ancestors 'none').
            .AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null)
            .RequireAuthorization(ConsolePolicies.Viewer);
        return app;
    }
}
