using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Web.Components.Controls;
using OpsConsole.Shared.Audit;

namespace OpsConsole.Web.Components.Pages.Audit;

/// <summary>Every change made through the console, filtered as you type and paged by the store (<see cref="AuditViewModel"/>).</summary>
public sealed partial class AuditPage
{
    private static readonly int[] PageSizes = [25, 50, 100, 200];
    private MudDataGrid<AuditEntry> _grid = default!;

    [Inject]
    private IAuditLog Audit { get; set; } = default!;

    private AuditViewModel Model { get; set; } = default!;

    protected override void OnInitialized() => Model = new AuditViewModel(Audit);

    private async Task<GridData<AuditEntry>> LoadAsync(GridState<AuditEntry> state, CancellationToken cancellationToken)
    {
        var oldestFirst = state.SortDefinitions.FirstOrDefault() is { Descending: false };
        await Model.LoadAsync(state.Page, state.PageSize, oldestFirst, cancellationToken);
        // The count, the time and any error are shown outside the grid.
        StateHasChanged();
        return new GridData<AuditEntry> { Items = Model.Entries, TotalItems = Model.Total };
    }

    private Task ActionChangedAsync(string? action)
    {
        Model.Action = action;
        return FiltersChangedAsync();
    }

    private Task StreamChangedAsync(string? stream)
    {
        Model.Stream = stream;
        return FiltersChangedAsync();
    }

    private Task FromChangedAsync(string? text)
    {
        Model.From = UtcInput.Parse(text);
        return FiltersChangedAsync();
    }

    private Task ToChangedAsync(string? text)
    {
        Model.To = UtcInput.Parse(text);
        return FiltersChangedAsync();
    }

    /// <summary>A filter changed: back to the first page of what now matches.</summary>
    private Task FiltersChangedAsync() => _grid.FirstPageAsync();
}
