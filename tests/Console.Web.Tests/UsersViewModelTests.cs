using OpsConsole.Shared.Auth;
using OpsConsole.Web.Components.Pages.Admin;

namespace OpsConsole.Web.Tests;

public sealed class UsersViewModelTests
{
    private sealed class FakeDirectory : IUserDirectory
    {
        public List<UserSummary> Users { get; } =
        [
            new("admin", ConsoleRole.Admin, 0, null, DateTimeOffset.UnixEpoch),
            new("viewer", ConsoleRole.Viewer, 0, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch),
        ];

        public Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<UserSummary>>([.. Users]);

        public Task<bool> UnlockAsync(string name, string actor, CancellationToken cancellationToken = default)
        {
            var index = Users.FindIndex(u => u.Name == name);
            if (index < 0)
            {
                return Task.FromResult(false);
            }
            Users[index] = Users[index] with { LockedUntil = null, FailedSignIns = 0 };
            return Task.FromResult(true);
        }
    }

    [Fact]
    public async Task UnlockAsync_LockedUser_ReloadsAndSaysSo()
    {
        var model = new UsersViewModel(new FakeDirectory(), "admin");
        await model.LoadAsync();

        await model.UnlockAsync("viewer");

        Assert.Equal("viewer is unlocked.", model.Message);
        Assert.Null(model.Users!.Single(u => u.Name == "viewer").LockedUntil);
    }

    [Fact]
    public async Task UnlockAsync_UserGone_SaysSo()
    {
        var model = new UsersViewModel(new FakeDirectory(), "admin");

        await model.UnlockAsync("ghost");

        Assert.Equal("ghost no longer exists.", model.Message);
        Assert.Equal(2, model.Users!.Count);
    }
}
