using MudBlazor;

namespace OpsConsole.Web.Components.Controls;

/// <summary>Server-paged grids: after a filter change, the first page of what now matches.</summary>
public static class GridPaging
{
    public static Task FirstPageAsync<T>(this MudDataGrid<T> grid)
    {
        if (grid.CurrentPage != 0)
        {
            // Moving to the first page loads it.
            grid.NavigateTo(Page.First);
            return Task.CompletedTask;
        }
        return grid.ReloadServerData();
    }
}
