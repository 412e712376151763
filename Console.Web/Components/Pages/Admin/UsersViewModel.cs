using OpsConsole.Shared.Auth;

namespace OpsConsole.Web.Components.Pages.Admin;

/// <summary>State of the Users page: the user list and the outcome of the last unlock.</summary>
public sealed class UsersViewModel(IUserDirectory directory, string actor)
{
    public IReadOnlyList<UserSummary>? Users { get; private set; }

    public string? Message { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default) => Users = await directory.ListAsync(cancellationToken);

    public async Task UnlockAsync(string name, CancellationToken cancellationToken = default)
    {
        Message = await directory.UnlockAsync(name, actor, cancellationToken) ? $"{name} is unlocked." : $"{name} no longer exists.";
        await LoadAsync(cancellationToken);
    }
}
