using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;
using OpsConsole.TestSupport;

namespace OpsConsole.Browser.Tests;

/// <summary>
/// A console whose runner is Kubernetes (the Kubernetes API test server, whose pods run the real job): the launch form
/// takes capacity, CPU and memory; the run page shows the runner and the run's pod (role, phase, node, capacity type,
/// requests); the Runs list has the runner to filter on.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class KubernetesRunTests(BrowserFixture fixture)
{
    [Fact]
    public async Task LaunchOnSpotWithOwnResources_ThePageShowsItsPodNodeAndCapacity_AndTheListShowsTheRunner()
    {
        await using var kube = await KubernetesApiServer.StartAsync();
        var job = Path.Combine(Path.GetDirectoryName(RepoPaths.ServerAssembly())!, "OpsConsole.SparkJobs.dll");
        kube.Images = image => image == "opsconsole/job:test" ? ("dotnet", [job]) : throw new InvalidOperationException(image);
        kube.Secrets["opsconsole-source"] = new() { ["STRIPE_SECRET_KEY"] = "sk_live_sandbox" };
        await using var console = await ConsoleServer.StartAsync("--Runner:Kind", "kubernetes", "--Kubernetes:Kubeconfig", kube.Kubeconfig,
            "--Kubernetes:Image", "opsconsole/job:test", "--Sandbox:Charges", "300");
        var (page, errors) = await fixture.NewPageAsync(console);
        await new SignInPageObject(page).SignInAsync("operator");
        var runs = new RunPageObject(page);

        await runs.LaunchButton.ClickAsync();
        await runs.Dialog.GetByText("Full (everything)").ClickAsync();
        await runs.Dialog.GetByText("Spot (cheaper; the node can be taken back)").ClickAsync();
        await page.Locator("#launch-cpu").FillAsync("1");
        await page.Locator("#launch-memory").FillAsync("2Gi");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "launch-kubernetes.png") });
        await runs.SubmitLaunch.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/run-"), new() { Timeout = 45_000 });
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        await Assertions.Expect(runs.State).ToHaveTextAsync("Succeeded", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#run-runner")).ToHaveTextAsync("kubernetes · spot");
        var pod = page.Locator("#run-pods tbody tr");
        await Assertions.Expect(pod).ToHaveCountAsync(1);
        await Assertions.Expect(pod.Locator("td")).ToContainTextAsync([$"opsconsole-{id}-", "driver", "Succeeded", "ip-10-0-2-42.ec2.internal", "spot", "1 vCPU · 2 GiB", ""],
            new() { UseInnerText = true });
        await Assertions.Expect(page.Locator("#run-cost-breakdown summary")).ToContainTextAsync("spot, its pods' requests: 1 vCPU, 2 GiB");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "run-kubernetes.png"), FullPage = true });

        await new ShellPageObject(page).OpenAsync("Runs");
        await Assertions.Expect(runs.Grid.GetByRole(AriaRole.Link, new() { Name = id })).ToBeVisibleAsync();
        await Assertions.Expect(runs.Grid.Locator("td", new() { HasText = "kubernetes" }).First).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
