using OpsConsole.Web.Components.Pages.Account;

namespace OpsConsole.Web.Tests;

public sealed class ApiKeysViewModelTests
{
    private readonly FakeApiKeyService _keys = new();

    [Fact]
    public async Task CreateAsync_ValidName_ShowsSecretOnceAndListsKey()
    {
        var model = new ApiKeysViewModel(_keys, "operator") { NewKeyName = " backfill " };

        await model.CreateAsync();

        Assert.Null(model.Error);
        Assert.Equal("opsk_1_secret", model.Created?.Secret);
        Assert.Equal("backfill", Assert.Single(model.Keys).Name);
        Assert.Equal("", model.NewKeyName);

        model.DismissSecret();
        Assert.Null(model.Created);
    }

    [Fact]
    public async Task CreateAsync_ScopeAndExpiry_GoWithTheKey_AndTheDefaultIsAnOperateKeyFor90Days()
    {
        var defaults = new ApiKeysViewModel(_keys, "operator") { NewKeyName = "default" };
        Assert.Equal((OpsConsole.Shared.Auth.ApiKeyScope.Operate, 90), (defaults.NewKeyScope, defaults.NewKeyExpiresInDays));
        var model = new ApiKeysViewModel(_keys, "operator")
        {
            NewKeyName = "dashboard", NewKeyScope = OpsConsole.Shared.Auth.ApiKeyScope.Read, NewKeyExpiresInDays = null,
        };

        await model.CreateAsync();

        var key = Assert.Single(model.Keys);
        Assert.Equal((OpsConsole.Shared.Auth.ApiKeyScope.Read, (DateTimeOffset?)null), (key.Scope, key.ExpiresAt));
    }

    [Fact]
    public async Task CreateAsync_EmptyName_ShowsErrorAndCreatesNothing()
    {
        var model = new ApiKeysViewModel(_keys, "operator") { NewKeyName = "  " };

        await model.CreateAsync();

        Assert.Equal("Name must be 1 to 100 characters.", model.Error);
        Assert.Null(model.Created);
        Assert.Empty(model.Keys);
    }

    [Fact]
    public async Task RevokeAsync_JustCreatedKey_HidesSecretAndRemovesIt()
    {
        var model = new ApiKeysViewModel(_keys, "viewer") { NewKeyName = "one" };
        await model.CreateAsync();

        await model.RevokeAsync(model.Created!.Key.Id);

        Assert.Null(model.Created);
        Assert.Empty(model.Keys);
        Assert.Null(model.Error);
    }

    [Fact]
    public async Task RevokeAsync_UnknownKey_SaysSo()
    {
        var model = new ApiKeysViewModel(_keys, "viewer");

        await model.RevokeAsync("missing");

        Assert.Equal("That key was already revoked.", model.Error);
    }

    [Fact]
    public async Task LoadAsync_OtherUsersKeys_AreNotShown()
    {
        await new ApiKeysViewModel(_keys, "admin") { NewKeyName = "admin key" }.CreateAsync();
        var model = new ApiKeysViewModel(_keys, "viewer");

        await model.LoadAsync();

        Assert.True(model.Loaded);
        Assert.Empty(model.Keys);
    }
}
