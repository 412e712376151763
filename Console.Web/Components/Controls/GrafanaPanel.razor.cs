using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Grafana;

namespace OpsConsole.Web.Components.Controls;

/// <summary>A Grafana panel where one is configured for this place; otherwise the console's own chart.</summary>
public sealed partial class GrafanaPanel
{
    [Inject]
    private GrafanaPanels Panels { get; set; } = default!;

    [Parameter, EditorRequired]
    public string Place { get; set; } = "";

    [Parameter, EditorRequired]
    public string Title { get; set; } = "";

    [Parameter]
    public DateTimeOffset From { get; set; }

    [Parameter]
    public DateTimeOffset To { get; set; }

    [Parameter]
    public IReadOnlyDictionary<string, string>? Variables { get; set; }

    [Parameter]
    public RenderFragment? ChildContent { get; set; }
}
