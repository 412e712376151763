using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Tables;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>Every stream's table: version, rows, size, files, partitions, a small-file warning; each links to its page.</summary>
public sealed partial class TablesPage
{
    [Inject]
    private ITableService Tables { get; set; } = default!;

    private TablesViewModel Model { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        Model = new TablesViewModel(Tables);
        await Model.LoadAsync();
    }
}
