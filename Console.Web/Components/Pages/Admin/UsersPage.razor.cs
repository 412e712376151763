using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Web.Components.Pages.Admin;

/// <summary>Admins see every user with role and lockout state, and unlock locked-out users.</summary>
public sealed partial class UsersPage
{
    private UsersViewModel _model = default!;

    [Inject]
    private IUserDirectory Directory { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _model = new UsersViewModel(Directory, (await AuthenticationState).User.Identity?.Name ?? "unknown");
        await _model.LoadAsync();
    }

    private async Task UnlockAsync(string name)
    {
        await _model.UnlockAsync(name);
        Snackbar.Add(_model.Message!, Severity.Success);
    }
}
