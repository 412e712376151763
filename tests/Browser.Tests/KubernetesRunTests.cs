using Microsoft.Playwright;
using OpsConsole.Browser.Tests.Pages;
using OpsConsole.TestSupport;

namespace OpsConsole.Browser.Tests;

/// <summary>
/// A console whose runner is Kubernetes (the Kubernetes API test server, whose pods run the real job): the run page
/// shows the runner and the run's pod (role, phase, node, capacity type, requests), and the Runs list filters by runner.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class KubernetesRunTests(BrowserFixture fixture)
{
    [Fact]
    public async Task RunOnKubernetes_ThePageShowsItsPodNodeAndCapacity_AndTheListFiltersByRunner()
    {
        await using var kube = await KubernetesApiServer.StartAsync();
        var job = Path.Combine(Path.GetDirectoryName(RepoPaths.ServerAssembly())!, "OpsConsole.SparkJobs.dll");
        kube.Images = image => image == "opsconsole/job:test" ? ("dotnet", [job]) : throw new InvalidOperationException(image);
        kube.Secrets["opsconsole-source"] = new() { ["STRIPE_SECRET_KEY"] = "sk_live_sandbox" };
        await using var console = await ConsoleServer.StartAsync("--Runner:Kind", "kubernetes", "--Kubernetes:Kubeconfig", kube.Kubeconfig,
            "--Kubernetes:Image", "opsconsole/job:test", "--Sandbox:Charges", "300");
        var id = await fixture.RunToTheEndAsync("customers", console);
        var (page, errors) = await fixture.NewPageAsync(console);
        await new SignInPageObject(page).SignInAsync("viewer");

        await page.GotoAsync($"/runs/{id}");

        var runs = new RunPageObject(page);
        await Assertions.Expect(runs.State).ToHaveTextAsync("Succeeded");
        await Assertions.Expect(page.Locator("#run-runner")).ToHaveTextAsync("kubernetes");
        var pod = page.Locator("#run-pods tbody tr");
        await Assertions.Expect(pod).ToHaveCountAsync(1);
        await Assertions.Expect(pod.Locator("td")).ToContainTextAsync([$"opsconsole-{id}-", "driver", "Succeeded", "ip-10-0-1-17.ec2.internal", "on-demand", "2 vCPU · 4 GiB", ""],
            new() { UseInnerText = true });
        await Assertions.Expect(page.Locator("#run-cost-breakdown summary")).ToContainTextAsync("its pods' requests: 2 vCPU, 4 GiB");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "run-kubernetes.png"), FullPage = true });

        await new ShellPageObject(page).OpenAsync("Runs");
        await Assertions.Expect(runs.Grid.GetByRole(AriaRole.Link, new() { Name = id })).ToBeVisibleAsync();
        await Assertions.Expect(runs.Grid.Locator("td", new() { HasText = "kubernetes" }).First).ToBeVisibleAsync();
        Assert.Empty(errors);
    }
}
