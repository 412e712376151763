using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;
using OpsConsole.Web.Components.Pages.Runs;

namespace OpsConsole.Web.Tests.Components;

public sealed class LaunchDialogTests : ConsoleComponentTest
{
    [Theory]
    [InlineData("stream", "launch-stream")]
    [InlineData("mode", "launch-mode")]
    [InlineData("from", "launch-from")]
    [InlineData("to", "launch-to")]
    [InlineData("workers", "launch-workers")]
    [InlineData("capacity", "launch-capacity")]
    [InlineData("retries", "launch-retries")]
    public void FieldRefused_ErrorShowsUnderThatField(string field, string inputId)
    {
        SignIn("operator", ConsoleRole.Operator);
        Runs.LaunchError = new InvalidFieldException(field, $"{field} is wrong: because.");
        OpenLaunch();

        Dialogs.Find("#launch-submit").Click();

        Eventually(Dialogs, () =>
        {
            var error = Assert.Single(Dialogs.FindAll(".field-error"));
            Assert.Equal($"{field} is wrong: because.", error.TextContent);
            Assert.Equal("alert", error.GetAttribute("role"));
            // The error sits in the same field as its input.
            Assert.NotNull(error.ParentElement!.QuerySelector($"#{inputId}"));
        });
        // Refused: the dialog stays open and nothing navigates.
        Assert.Single(Dialogs.FindAll("#launch-submit"));
        Assert.Empty(Context.Services.GetRequiredService<Bunit.TestDoubles.BunitNavigationManager>().History);
    }

    [Fact]
    public void KubernetesRunner_ResourceFieldsAndTheirErrors()
    {
        SignIn("operator", ConsoleRole.Operator);
        Context.Services.AddSingleton<IRunService>(new FakeRunService { LaunchDefaults = new("kubernetes", "spot", "1", "2Gi"), LaunchError = new InvalidFieldException("memory", "memory must be a Kubernetes quantity.") });
        OpenLaunch();

        Dialogs.Find("input#launch-memory").Change("lots");
        Dialogs.Find("#launch-submit").Click();

        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find(".field-error").ParentElement!.QuerySelector("#launch-memory")));
        Assert.Contains("CPU (default 1)", Dialogs.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamBusy_LinksTheActiveRun()
    {
        SignIn("operator", ConsoleRole.Operator);
        Runs.LaunchError = new StreamBusyException("stripe", "charges", "run-busy");
        OpenLaunch();

        Dialogs.Find("#launch-submit").Click();

        Eventually(Dialogs, () => Assert.Equal("Open run run-busy", Dialogs.Find("a[href='/runs/run-busy']").TextContent));
    }

    [Fact]
    public void Launched_ClosesSaysSoAndOpensTheRun()
    {
        SignIn("operator", ConsoleRole.Operator);
        OpenLaunch();

        Dialogs.Find("input#launch-from").Change("2026-11-01T08:30");
        Dialogs.Find("#launch-submit").Click();

        var navigation = Context.Services.GetRequiredService<Bunit.TestDoubles.BunitNavigationManager>();
        Eventually(Dialogs, () => Assert.EndsWith("/runs/run-20261126-120000-abc123", navigation.Uri, StringComparison.Ordinal));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.Zero), Runs.LastRequest!.From);
        Assert.Empty(Dialogs.FindAll("#launch-submit"));
        Eventually(Snackbars, () => Assert.Contains("Run run-20261126-120000-abc123 launched.", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Cancel_ClosesWithoutLaunching()
    {
        SignIn("operator", ConsoleRole.Operator);
        OpenLaunch();

        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        Eventually(Dialogs, () => Assert.Empty(Dialogs.FindAll("#launch-submit")));
        Assert.Null(Runs.LastRequest);
    }

    private IRenderedComponent<RunsPage> OpenLaunch()
    {
        var page = RenderPage<RunsPage>();
        page.Find("#launch-run").Click();
        Eventually(Dialogs, () => Assert.Single(Dialogs.FindAll("#launch-submit")));
        return page;
    }

    [Fact]
    public void Retries_AskForTheBackoff_AndGoWithTheLaunch()
    {
        SignIn("operator", ConsoleRole.Operator);
        OpenLaunch();
        Assert.Empty(Dialogs.FindAll("#launch-retry-backoff"));

        Dialogs.Find("#launch-retries").Change("2");
        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find("#launch-retry-backoff")));
        Dialogs.Find("#launch-retry-backoff").Change("30");
        Dialogs.Find("#launch-stream").Change("charges");
        Dialogs.Find("#launch-submit").Click();

        Eventually(Dialogs, () => Assert.Equal((2, 30), (Runs.LastRequest?.Retries, Runs.LastRequest?.RetryBackoffSeconds)));
    }
}
