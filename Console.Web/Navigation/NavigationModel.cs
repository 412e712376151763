using MudBlazor;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Web.Navigation;

/// <summary>The side navigation, filtered by role with the same policies as the pages it links to.</summary>
public static class NavigationModel
{
    public const string Pipeline = "Pipeline";
    public const string Account = "Account";
    public const string Administration = "Administration";

    public static IReadOnlyList<NavigationItem> All { get; } =
    [
        new("Runs", ConsoleUrls.Runs, Icons.Material.Filled.PlayCircle, ConsolePolicies.Viewer, Pipeline),
        new("Schedules", ConsoleUrls.Schedules, Icons.Material.Filled.Schedule, ConsolePolicies.Viewer, Pipeline),
        new("Checkpoints", ConsoleUrls.Checkpoints, Icons.Material.Filled.Bookmark, ConsolePolicies.Viewer, Pipeline),
        new("Quality", ConsoleUrls.Quality, Icons.Material.Filled.FactCheck, ConsolePolicies.Viewer, Pipeline),
        new("Tables", ConsoleUrls.Tables, Icons.Material.Filled.TableChart, ConsolePolicies.Viewer, Pipeline),
        new("Costs", ConsoleUrls.Costs, Icons.Material.Filled.Payments, ConsolePolicies.Viewer, Pipeline),
        new("Audit", ConsoleUrls.Audit, Icons.Material.Filled.History, ConsolePolicies.Viewer, Pipeline),
        new("API keys", ConsoleUrls.ApiKeys, Icons.Material.Filled.Key, ConsolePolicies.Viewer, Account),
        new("Users", ConsoleUrls.Users, Icons.Material.Filled.Group, ConsolePolicies.Admin, Administration),
    ];

    /// <summary>The items <paramref name="role"/> may open, grouped in display order.</summary>
    public static IReadOnlyList<IGrouping<string, NavigationItem>> For(ConsoleRole role) =>
        [.. All.Where(item => ConsolePolicies.Allows(item.Policy, role)).GroupBy(item => item.Group)];
}
