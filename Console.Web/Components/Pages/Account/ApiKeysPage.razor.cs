using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Web.Components.Pages.Account;

/// <summary>The signed-in user's API keys: create (in <see cref="ApiKeyDialog"/>, the secret shown once), list, revoke.</summary>
public sealed partial class ApiKeysPage
{
    private ApiKeysViewModel? _model;

    [Inject]
    private IApiKeyService Keys { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        var model = new ApiKeysViewModel(Keys, user.Identity!.Name!);
        await model.LoadAsync();
        _model = model;
    }

    private async Task CreateAsync()
    {
        var dialog = await Dialogs.ShowAsync<ApiKeyDialog>("New API key", new DialogParameters<ApiKeyDialog> { { d => d.Model, _model! } });
        if (await dialog.Result is { Canceled: false } && _model!.Created is { } created)
        {
            Snackbar.Add($"Key “{created.Key.Name}” created: copy its secret now.", Severity.Success);
        }
    }

    private async Task RevokeAsync(ApiKeyInfo key)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = "Revoke this API key?",
            Message = $"Scripts using “{key.Name}” ({key.Prefix}…) will get 401 from now on.",
            YesText = "Revoke",
            CancelText = "Keep it",
        });
        if (confirmed == true)
        {
            await _model!.RevokeAsync(key.Id);
            Snackbar.Add(_model.Error ?? $"Key “{key.Name}” revoked.", _model.Error is null ? Severity.Success : Severity.Warning);
        }
    }
}
