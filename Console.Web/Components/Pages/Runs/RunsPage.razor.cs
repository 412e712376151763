using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Runs;
using Radzen;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>Every run, newest first, pushed live: the grid re-renders at most ten times a second.</summary>
public sealed partial class RunsPage : IAsyncDisposable
{
    private RunsViewModel? _model;

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private DialogService Dialogs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var model = new RunsViewModel(Runs, Time);
        await model.StartAsync(() => InvokeAsync(StateHasChanged));
        _model = model;
    }

    public async ValueTask DisposeAsync()
    {
        if (_model is not null)
        {
            await _model.DisposeAsync();
        }
    }

    private async Task LaunchAsync()
    {
        var result = await Dialogs.OpenAsync<LaunchDialog>("Launch a run", options: new DialogOptions { Width = "560px", CloseDialogOnEsc = true });
        if (result is RunInfo run)
        {
            Navigation.NavigateTo(ConsoleUrls.Run(run.Id));
        }
    }
}
