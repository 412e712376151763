using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using OpsConsole.Web.Components.Pages.Runs;

namespace OpsConsole.Web.Tests.Components;

public sealed class RunDetailPageTests : ConsoleComponentTest
{
    private const string Id = "run-20261126-115900-abc123";

    [Fact]
    public void Viewer_NoCancel()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run(Id, RunState.Running));

        var page = Open();

        Eventually(page, () => Assert.Equal("Running", page.Find("#run-state").TextContent));
        Assert.Empty(page.FindAll("#cancel-run"));
    }

    [Fact]
    public void Operator_CancelAsksFirst_ThenCancelsAndSaysSo()
    {
        SignIn("operator", ConsoleRole.Operator);
        Runs.Runs.Add(Run(Id, RunState.Running));
        var page = Open();

        page.Find("#cancel-run").Click();
        Eventually(Dialogs, () => Assert.Contains($"Cancel run {Id}?", Dialogs.Markup, StringComparison.Ordinal));
        Assert.Empty(Runs.Cancels);
        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel the run").Click();

        Eventually(page, () =>
        {
            Assert.Equal([(Id, false)], Runs.Cancels);
            Assert.Contains("Cancelling", page.Find("#cancelling-banner").TextContent, StringComparison.Ordinal);
        });
        Eventually(Snackbars, () => Assert.Contains("the job was asked to stop", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Operator_KeepsItRunning_NothingSent()
    {
        SignIn("operator", ConsoleRole.Operator);
        Runs.Runs.Add(Run(Id, RunState.Running));
        var page = Open();

        page.Find("#cancel-run").Click();
        Eventually(Dialogs, () => Assert.Contains("Keep it running", Dialogs.Markup, StringComparison.Ordinal));
        Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it running").Click();

        Eventually(Dialogs, () => Assert.DoesNotContain("Keep it running", Dialogs.Markup, StringComparison.Ordinal));
        Assert.Empty(Runs.Cancels);
    }

    [Fact]
    public void Planning_ShowsTheSearchsLatestRound_UntilThePlanIsKnown()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run(Id, RunState.Running));
        var page = Open();
        Eventually(page, () => Assert.Contains("Planning the window", page.Find("#run-plan").TextContent, StringComparison.Ordinal));

        const string round = "Planning: the oldest charges object was created in [2026-09-07 00:00:00, 2026-09-30 12:00:00] (round 2, 8 probes)";
        Runs.Push(Run(Id, RunState.Running) with { Progress = RunProgress.None with { Planning = round, UpdatedAt = FakeRunService.Now } });
        Eventually(page, () => Assert.Contains(round, page.Find("#run-plan").TextContent, StringComparison.Ordinal));

        Runs.Push(Run(Id, RunState.Running) with { Progress = RunProgress.None with { Planning = round, SlicesTotal = 91, UpdatedAt = FakeRunService.Now } });
        Eventually(page, () =>
        {
            Assert.Contains("0 of 91 slices fetched", page.Find("#run-plan").TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("Planning", page.Find("#run-plan").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void LiveProgress_RecordsAndPercentMove()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run(Id, RunState.Running));
        var page = Open();
        Eventually(page, () => Assert.Equal("0", page.Find("#run-records").TextContent));

        Runs.Push(Run(Id, RunState.Running) with
        {
            Progress = RunProgress.None with { Records = 2_500, SlicesDone = 1, SlicesTotal = 3, RecordsPerSecond = 1234.6, UpdatedAt = FakeRunService.Now },
        });

        Eventually(page, () =>
        {
            Assert.Equal("2,500", page.Find("#run-records").TextContent);
            Assert.Equal("33.3 %", page.Find("#run-percent").TextContent);
            Assert.Contains("1 of 3 slices fetched", page.Find("#run-plan").TextContent, StringComparison.Ordinal);
            Assert.Equal("1,235", page.Find("#run-rate-now").TextContent);
        });
    }

    [Fact]
    public void Succeeded_WithFailingRules_ExplainsAndLinksTheReport()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run(Id, RunState.Succeeded) with { Quality = "failed", EndedAt = FakeRunService.Now });
        Quality.Reports.Add(Report(Id, "failed"));

        var page = Open();

        Eventually(page, () => Assert.Contains("none of them is blocking", page.Find("#quality-note").TextContent, StringComparison.Ordinal));
        Assert.Equal("failed", page.Find("#run-quality").TextContent);
        Assert.Equal("failed", page.Find(".dq-rule[data-rule=unique_id]").GetAttribute("data-outcome"));
    }

    [Fact]
    public void Failed_ShowsTheReason()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Runs.Runs.Add(Run(Id, RunState.Failed) with { FailureReason = "source failed: 503 after 5 retries", EndedAt = FakeRunService.Now });

        var page = Open();

        Eventually(page, () => Assert.Contains("source failed: 503 after 5 retries", page.Find("#failure-reason").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void WaitingToRetry_SaysWhyAndWhen_AndListsTheAttemptsWithTheirLogs()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var retryAt = FakeRunService.Now.AddSeconds(90);
        Runs.Runs.Add(Run(Id, RunState.Pending) with { Attempts = 1, MaxAttempts = 3, RetryBackoffSeconds = 90, RetryAt = retryAt });
        Runs.Attempts[Id] =
        [
            new RunAttempt
            {
                Attempt = 1, StartedAt = FakeRunService.Now.AddMinutes(-3), EndedAt = FakeRunService.Now, Outcome = "failed", ExitCode = 4, Retried = true, FirstSeq = 1,
                Reason = "Exit 4 (the source failed after retries): 503 after 5 tries",
            },
        ];

        var page = Open();

        Eventually(page, () => Assert.Contains("attempt 1 of 3 failed: Exit 4 (the source failed after retries): 503 after 5 tries", page.Find("#retry-banner").TextContent,
            StringComparison.Ordinal));
        Assert.Contains("Attempt 2 starts at 2026-11-26 12:01:30 UTC (in 1 min 30 s)", page.Find("#retry-banner").TextContent, StringComparison.Ordinal);
        Assert.Equal("1 of 3", page.Find("#run-attempts").TextContent);
        var row = page.Find(".run-attempt[data-attempt='1']");
        Assert.Contains("failed · retried", row.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/api/runs/{Id}/logs?after=0&limit=5000", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Up to 2 retries", page.Find(".run-attempts").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRun_SaysSo()
    {
        SignIn("viewer", ConsoleRole.Viewer);

        var page = Open();

        Eventually(page, () => Assert.Contains("No such run", page.Markup, StringComparison.Ordinal));
    }

    internal static QualityReport Report(string runId, string outcome, string stream = "charges", long at = 1_795_000_000_000) => new()
    {
        RunId = runId,
        Source = "stripe",
        Stream = stream,
        At = at,
        Rows = 1000,
        Outcome = outcome,
        Rules =
        [
            new RuleResult
            {
                Rule = "unique_id", Type = "unique", Column = "id", Severity = Severity.Error, Outcome = outcome == "passed" ? RuleOutcome.Passed : RuleOutcome.Failed,
                Observed = 0.98, Lower = 1, Threshold = "= 1", Message = "2 duplicate ids", Failing = 20, FailingFraction = 0.02, Samples = ["ch_1", "ch_2"],
            },
        ],
    };

    private IRenderedComponent<RunDetailPage> Open() => RenderPage<RunDetailPage>(p => p.Add(x => x.Id, Id));
}
