namespace OpsConsole.Web.Navigation;

/// <summary>An entry of the side navigation.</summary>
/// <param name="Title">The visible text.</param>
/// <param name="Url">Where it goes.</param>
/// <param name="Icon">A MudBlazor icon (an SVG path, <c>Icons.Material.Filled.*</c>).</param>
/// <param name="Policy">The authorization policy a user needs to see it.</param>
/// <param name="Group">The heading it is listed under.</param>
public sealed record NavigationItem(string Title, string Url, string Icon, string Policy, string Group);
