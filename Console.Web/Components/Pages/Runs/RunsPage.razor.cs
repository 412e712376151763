using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Web.Components.Controls;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// Every run, a page at a time, sorted, filtered and paged by the store (<see cref="RunsViewModel"/>); the page shown
/// is loaded again when runs change, at most once a second.
/// </summary>
public sealed partial class RunsPage : IAsyncDisposable
{
    private static readonly int[] PageSizes = [25, 50, 100];
    private MudDataGrid<RunRow> _grid = default!;
    private RunsViewModel _model = default!;

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override void OnInitialized() => _model = new RunsViewModel(Runs, Time);

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _model.Start(() => InvokeAsync(_grid.ReloadServerData), () => InvokeAsync(StateHasChanged));
        }
    }

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    private async Task<GridData<RunRow>> LoadAsync(GridState<RunRow> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        await _model.LoadAsync(_model.Query(state.Page, state.PageSize, sort?.SortBy, sort?.Descending ?? true), cancellationToken);
        // The count, the time and any error are shown outside the grid.
        StateHasChanged();
        return new GridData<RunRow> { Items = _model.Rows, TotalItems = _model.Total };
    }

    private Task StateChangedAsync(string? state)
    {
        _model.State = state;
        return FiltersChangedAsync();
    }

    private Task StreamChangedAsync(string? stream)
    {
        _model.Stream = stream;
        return FiltersChangedAsync();
    }

    /// <summary>A filter changed: back to the first page of what now matches.</summary>
    private Task FiltersChangedAsync() => _grid.FirstPageAsync();

    private async Task LaunchAsync()
    {
        var dialog = await Dialogs.ShowAsync<LaunchDialog>("Launch a run", new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: RunInfo run })
        {
            Snackbar.Add($"Run {run.Id} launched.", Severity.Success);
            Navigation.NavigateTo(ConsoleUrls.Run(run.Id));
        }
    }
}
