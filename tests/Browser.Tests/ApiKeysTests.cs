using System.Net.Http.Headers;
using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;

namespace OpsConsole.Browser.Tests;

/// <summary>The interactive circuit end to end: clicks reach the server and the page shows the result.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiKeysTests(BrowserFixture fixture)
{
    [Fact]
    public async Task CreateKey_Click_ShowsSecretThatWorksOnTheApi_ThenRevokeEndsIt()
    {
        var (page, errors) = await fixture.NewPageAsync();
        var shell = await new SignInPageObject(page).SignInAsync("operator");
        await shell.OpenAsync("API keys");
        var keys = new ApiKeysPageObject(page);

        await keys.CreateAsync("browser test key");

        await Assertions.Expect(keys.NewSecret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^opsk_"));
        await Assertions.Expect(keys.Row("browser test key")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "api-keys-created.png") });
        var secret = (await keys.NewSecret.InnerTextAsync()).Trim();
        Assert.Equal(System.Net.HttpStatusCode.OK, await MeStatusAsync(secret));

        await keys.RevokeAsync("browser test key");

        await Assertions.Expect(keys.Row("browser test key")).ToHaveCountAsync(0);
        await Assertions.Expect(keys.NewSecret).ToHaveCountAsync(0);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await MeStatusAsync(secret));
        Assert.DoesNotContain(secret, fixture.Server.Output, StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task CreateKey_EmptyName_ShowsInlineError()
    {
        var (page, _) = await fixture.NewPageAsync();
        var shell = await new SignInPageObject(page).SignInAsync("viewer");
        await shell.OpenAsync("API keys");
        var keys = new ApiKeysPageObject(page);

        await keys.CreateAsync("   ");

        await Assertions.Expect(keys.Error).ToHaveTextAsync("Name must be 1 to 100 characters.");
        await Assertions.Expect(keys.NewSecret).ToHaveCountAsync(0);
    }

    private async Task<System.Net.HttpStatusCode> MeStatusAsync(string secret)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{fixture.Server.BaseUrl}/api/me"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
