using MudBlazor;

namespace OpsConsole.Web.Components.Layout;

/// <summary>The console's colours, light and dark: contrast at least 4.5:1 for text on its surfaces.</summary>
public static class ConsoleTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2458c6",
            AppbarBackground = "#16202e",
            AppbarText = "#ffffff",
            Background = "#f6f7f9",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            TextPrimary = "#1d232b",
            TextSecondary = "#4f5968",
            Error = "#b3261e",
            Warning = "#8a5300",
            Success = "#137333",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4f8",
            PrimaryContrastText = "#10161f",
            AppbarBackground = "#10161f",
            AppbarText = "#e8eaed",
            Background = "#14181e",
            Surface = "#1d232b",
            DrawerBackground = "#1a1f26",
            TextPrimary = "#e8eaed",
            TextSecondary = "#aab2bd",
            Error = "#f28b82",
            Warning = "#fdd663",
            WarningContrastText = "#10161f",
            Success = "#81c995",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"] },
        },
    };
}
