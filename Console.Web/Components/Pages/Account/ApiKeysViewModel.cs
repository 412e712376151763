using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Account;

/// <summary>State of the API keys page: the signed-in user's keys, the create form, the secret shown once.</summary>
public sealed class ApiKeysViewModel(IApiKeyService keys, string owner)
{
    public string Owner { get; } = owner;

    public IReadOnlyList<ApiKeyInfo> Keys { get; private set; } = [];

    public string NewKeyName { get; set; } = "";

    public ApiKeyScope NewKeyScope { get; set; } = ApiKeyScope.Operate;

    /// <summary>Days the new key lives; null: until revoked.</summary>
    public int? NewKeyExpiresInDays { get; set; } = 90;

    /// <summary>The key just created, with its secret; cleared when dismissed or when another action happens.</summary>
    public CreatedApiKey? Created { get; private set; }

    /// <summary>The last action's error, for the form.</summary>
    public string? Error { get; private set; }

    public bool Loaded { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        Keys = await keys.ListAsync(Owner, cancellationToken);
        Loaded = true;
    }

    public async Task CreateAsync(CancellationToken cancellationToken = default)
    {
        Error = null;
        Created = null;
        try
        {
            Created = await keys.CreateAsync(Owner, new NewApiKey(NewKeyName) { Scope = NewKeyScope, ExpiresInDays = NewKeyExpiresInDays }, cancellationToken);
            NewKeyName = "";
        }
        catch (InvalidFieldException exception)
        {
            Error = exception.Message;
        }
        await LoadAsync(cancellationToken);
    }

    public async Task RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        Error = null;
        if (!await keys.RevokeAsync(Owner, id, cancellationToken))
        {
            Error = "That key was already revoked.";
        }
        if (Created?.Key.Id == id)
        {
            Created = null;
        }
        await LoadAsync(cancellationToken);
    }

    public void DismissSecret() => Created = null;
}
