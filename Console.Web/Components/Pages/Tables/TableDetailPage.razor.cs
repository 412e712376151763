using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Tables;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>One table: summary, partitions, schema, a preview of its rows, commit history; admins compact, vacuum and clean its log.</summary>
public sealed partial class TableDetailPage
{
    /// <summary>Partitions listed before "Show all": a month of daily partitions.</summary>
    private const int ShownPartitions = 31;

    private int _tab;
    private bool _allPartitions;

    [Parameter]
    public string Source { get; set; } = "";

    [Parameter]
    public string Stream { get; set; } = "";

    [Inject]
    private ITableService Tables { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private TableDetailViewModel Model { get; set; } = default!;

    private PreviewViewModel? _preview;

    protected override async Task OnParametersSetAsync()
    {
        Model = new TableDetailViewModel(Tables, Source, Stream);
        _preview = new PreviewViewModel(Tables, Source, Stream, ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!);
        await Model.LoadAsync();
    }

    private async Task MaintainAsync(MaintenanceAction action)
    {
        var dialog = await Dialogs.ShowAsync<MaintenanceDialog>(null, new DialogParameters<MaintenanceDialog>
        {
            { d => d.Source, Source }, { d => d.Stream, Stream }, { d => d.Action, action },
        }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: MaintenanceOutcome outcome })
        {
            Snackbar.Add($"{Source}/{Stream}: {outcome.Summary}", Severity.Success);
            await Model.LoadAsync();
        }
    }
}
