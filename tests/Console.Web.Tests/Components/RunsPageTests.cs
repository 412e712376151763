using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Storage;
using OpsConsole.Web.Components.Pages.Runs;

namespace OpsConsole.Web.Tests.Components;

public sealed class RunsPageTests : ConsoleComponentTest
{
    [Fact]
    public void Viewer_SeesRunsButNoLaunch()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run("run-20261126-115900-aaaaaa", RunState.Succeeded));

        var page = RenderPage<RunsPage>();

        Eventually(page, () => Assert.Contains("aaaaaa", page.Find(".runs-grid tbody").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("#launch-run"));
    }

    [Fact]
    public void RunWaitingToRetry_SaysWhichAttemptAndWhen()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run("run-20261126-115900-bbbbbb", RunState.Pending) with { Attempts = 1, MaxAttempts = 3, RetryAt = FakeRunService.Now.AddSeconds(90) });

        var page = RenderPage<RunsPage>();

        Eventually(page, () => Assert.Equal("retry 2/3 at 12:01:30 UTC", page.Find(".runs-grid .run-retry").TextContent));
    }

    [Fact]
    public void Operator_SeesLaunch()
    {
        SignIn("operator", ConsoleRole.Operator);

        var page = RenderPage<RunsPage>();

        Assert.Single(page.FindAll("#launch-run"));
    }

    [Fact]
    public void Row_ShortIdLinksToTheRun_StartedAsAgoWithUtcOnHover()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run("run-20261126-115700-abc123", RunState.Running, minutesAgo: 3) with { Quality = "failed" });

        var page = RenderPage<RunsPage>();

        Eventually(page, () =>
        {
            var link = page.Find("a[href='/runs/run-20261126-115700-abc123']");
            Assert.Equal("abc123", link.TextContent);
            Assert.Equal("run-20261126-115700-abc123", link.GetAttribute("title"));
            var started = page.FindAll(".runs-grid tbody td span[title]").Single(span => span.TextContent == "3 min ago");
            Assert.Equal("2026-11-26 11:57:00 UTC", started.GetAttribute("title"));
            Assert.Equal("failed", page.Find("a.dq-failed").TextContent);
            Assert.Single(page.FindAll("button[aria-label='Copy run id run-20261126-115700-abc123']"));
        });
    }

    [Fact]
    public void NoRuns_EmptyStateSaysHowTheyCome()
    {
        SignIn("viewer", ConsoleRole.Viewer);

        var page = RenderPage<RunsPage>();

        Eventually(page, () => Assert.Contains("No runs yet", page.Markup, StringComparison.Ordinal));
        Assert.Contains("Operators and admins launch runs", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreSlow_SaysLoading_ThenShowsTheRows()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run("run-20261126-115900-aaaaaa", RunState.Succeeded));
        var gate = new TaskCompletionSource();
        Runs.QueryGate = gate.Task;

        var page = RenderPage<RunsPage>();

        Eventually(page, () => Assert.Contains("Loading runs…", page.Markup, StringComparison.Ordinal));
        gate.SetResult();
        Eventually(page, () => Assert.Contains("aaaaaa", page.Find(".runs-grid tbody").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void StoreDown_SaysWhy()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.QueryError = new StoreUnavailableException("The console's database /data/opsconsole.db failed: disk I/O error", new IOException("disk"));

        var page = RenderPage<RunsPage>();

        Eventually(page, () => Assert.Contains("disk I/O error", page.Find("#runs-error").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("No runs yet", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveRun_ArrivesAndChangesWithoutAReload()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var page = RenderPage<RunsPage>();
        Eventually(page, () => Assert.Contains("No runs yet", page.Markup, StringComparison.Ordinal));

        Time.Now += TimeSpan.FromSeconds(2);
        Runs.Push(Run("run-20261126-115959-bbbbbb", RunState.Running, minutesAgo: 0) with { Progress = RunProgress.None with { Records = 1234 } });

        Eventually(page, () => Assert.Contains("1,234", page.Find(".runs-grid tbody").TextContent, StringComparison.Ordinal));
        Time.Now += TimeSpan.FromSeconds(2);
        Runs.Push(Run("run-20261126-115959-bbbbbb", RunState.Succeeded, minutesAgo: 0) with { Progress = RunProgress.None with { Records = 5000 } });
        Eventually(page, () =>
        {
            Assert.Contains("5,000", page.Find(".runs-grid tbody").TextContent, StringComparison.Ordinal);
            Assert.Equal("Succeeded", page.Find(".state-badge").TextContent.Trim());
        });
    }

    [Fact]
    public void RunIdFilter_TypedValueGoesToTheStore()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.AddRange([Run("run-20261126-115900-aaaaaa", RunState.Succeeded), Run("run-20261126-115800-bbbbbb", RunState.Failed, 2)]);
        var page = RenderPage<RunsPage>();
        Eventually(page, () => Assert.Equal(2, page.FindAll(".runs-grid tbody a.mud-link, .runs-grid tbody .run-id a").Count));

        page.Find("input#runs-id").Input("bbb");

        Eventually(page, () =>
        {
            Assert.Equal([new RunFilter(RunFields.Id, RunFilterOperators.Contains, "bbb")], Runs.LastQuery!.Filters);
            Assert.Equal("bbbbbb", page.Find(".runs-grid tbody .run-id a").TextContent);
            Assert.Single(page.FindAll(".runs-grid tbody .run-id a"));
        });
    }

    [Fact]
    public void NoMatch_SaysTheFiltersMatchNothing()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run("run-20261126-115900-aaaaaa", RunState.Succeeded));
        var page = RenderPage<RunsPage>();

        page.Find("input#runs-launched-by").Input("nobody");

        Eventually(page, () => Assert.Contains("No run matches these filters.", page.Markup, StringComparison.Ordinal));
    }
}
