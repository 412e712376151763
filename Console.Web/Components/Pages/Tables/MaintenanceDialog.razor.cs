using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Tables;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>One maintenance operation on a table (<see cref="MaintenanceViewModel"/>).</summary>
public sealed partial class MaintenanceDialog
{
    private MaintenanceViewModel? _model;

    [Parameter]
    public string Source { get; set; } = "";

    [Parameter]
    public string Stream { get; set; } = "";

    [Parameter]
    public MaintenanceAction Action { get; set; }

    [CascadingParameter]
    private IMudDialogInstance MudDialog { get; set; } = default!;

    [Inject]
    private ITableService Tables { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private string Title => Action switch
    {
        MaintenanceAction.Compact => $"Compact {Source}/{Stream}",
        MaintenanceAction.Vacuum => $"Vacuum {Source}/{Stream}",
        _ => $"Clean the log of {Source}/{Stream}",
    };

    private string ApplyText => Action switch
    {
        MaintenanceAction.Compact => "Compact",
        MaintenanceAction.Vacuum => "Delete files",
        _ => "Delete log files",
    };

    private string Explanation => Action switch
    {
        MaintenanceAction.Compact => "Rewrites each partition's small files into files of the target size in one commit that changes no row (dataChange=false). "
                                     + "Runs of this stream cannot start meanwhile; a run already active refuses it.",
        MaintenanceAction.Vacuum => "Deletes the data files no version of the last hours of retention reads: files later commits replaced and files a crashed run left behind. "
                                    + "Time travel to a version older than the retention stops working. Run a dry run first.",
        _ => "Deletes the commit files before the newest checkpoint older than the retention. Versions before that checkpoint can no longer be read.",
    };

    protected override async Task OnInitializedAsync() =>
        _model = new MaintenanceViewModel(Tables, Source, Stream, Action, ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!);

    private async Task SubmitAsync()
    {
        if (await _model!.SubmitAsync() is { } outcome)
        {
            MudDialog.Close(DialogResult.Ok(outcome));
        }
    }
}
