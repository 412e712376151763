using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Shared.Auth;
using Radzen;

namespace OpsConsole.Web.Components.Pages.Account;

/// <summary>The signed-in user's API keys: create (secret shown once), list, revoke.</summary>
public sealed partial class ApiKeysPage
{
    private ApiKeysViewModel? _model;
    private bool _busy;

    [Inject]
    private IApiKeyService Keys { get; set; } = default!;

    [Inject]
    private DialogService Dialogs { get; set; } = default!;

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
        _busy = true;
        try
        {
            await _model!.CreateAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync(ApiKeyInfo key)
    {
        var confirmed = await Dialogs.Confirm(
            $"Scripts using “{key.Name}” ({key.Prefix}…) will get 401 from now on.", "Revoke this API key?",
            new ConfirmOptions { OkButtonText = "Revoke", CancelButtonText = "Keep it" });
        if (confirmed == true)
        {
            await _model!.RevokeAsync(key.Id);
        }
    }
}
