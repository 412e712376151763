using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Web.Components.Pages.Runs;
using OpsConsole.Web.Components.Pages.Schedules;

namespace OpsConsole.Web.Tests.Components;

public sealed class SchedulesPageTests : ConsoleComponentTest
{
    [Theory]
    [InlineData(ConsoleRole.Viewer, false)]
    [InlineData(ConsoleRole.Operator, true)]
    [InlineData(ConsoleRole.Admin, true)]
    public void Page_ListsEachScheduleWithItsLastAndNextFire_ChangesOnlyForOperatorsAndUp(ConsoleRole role, bool changes)
    {
        SignIn("someone", role);

        var page = RenderPage<SchedulesPage>();

        Eventually(page, () => Assert.Single(page.FindAll(".schedules-grid tbody tr")));
        var row = page.Find("tr[data-schedule=charges-nightly]");
        Assert.Contains("30 2 * * *", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Europe/Berlin", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("waits for a busy stream; catches up the latest; jitter 60 s", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("launched", row.QuerySelector(".schedule-outcome")!.TextContent);
        Assert.Equal("/runs/run-20261126-013042-abc123", row.QuerySelector("a.run-id")!.GetAttribute("href"));
        Assert.Equal("2026-11-27 01:30", row.QuerySelector(".schedule-next")!.TextContent);
        Assert.Equal(changes, page.FindAll("#schedule-new, #schedule-edit-charges-nightly, #schedule-toggle-charges-nightly, #schedule-delete-charges-nightly").Count == 4);
        Assert.Equal(changes, page.FindAll("#schedule-new").Count == 1);
    }

    [Fact]
    public void Name_OpensTheFireHistory_WithWhyAFireWasSkipped()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var page = RenderPage<SchedulesPage>();
        Eventually(page, () => Assert.NotNull(page.Find(".schedule-name")));

        page.Find(".schedule-name").Click();

        Eventually(page, () => Assert.Equal(2, page.FindAll("#schedule-fires tbody tr").Count));
        Assert.Contains("the stream was busy with run run-x", page.Find("#schedule-fires").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NewSchedule_TheNextFireTimesFollowTheExpression_ABadOneIsNamedAtItsField_ThenItIsCreated()
    {
        SignIn("operator", ConsoleRole.Operator);
        var page = RenderPage<SchedulesPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#schedule-new")));
        page.Find("#schedule-new").Click();
        Eventually(Dialogs, () => Assert.Equal(5, Dialogs.FindAll("#schedule-preview li").Count));
        Assert.Contains("2026-11-27 02:00 UTC", Dialogs.Find("#schedule-preview").TextContent, StringComparison.Ordinal);

        Dialogs.Find("input#schedule-cron").Input("0 25 * * *");
        Eventually(Dialogs, () => Assert.Empty(Dialogs.FindAll("#schedule-preview li")));
        var error = Dialogs.Find(".field-error");
        Assert.Contains("field 2 (hour) at position 3: '25'", error.TextContent, StringComparison.Ordinal);
        Assert.NotNull(error.ParentElement!.QuerySelector("#schedule-cron"));

        Dialogs.Find("input#schedule-cron").Input("*/15 * * * *");
        Eventually(Dialogs, () => Assert.Equal(5, Dialogs.FindAll("#schedule-preview li").Count));
        Assert.Contains("2026-11-26 00:15 UTC", Dialogs.Find("#schedule-preview").TextContent, StringComparison.Ordinal);
        Dialogs.Find("input#schedule-name").Change("refunds-quarterly");
        Dialogs.Find("#schedule-retries").Change("2");
        Dialogs.Find("#schedule-retry-backoff").Change("300");
        Dialogs.Find("#schedule-submit").Click();

        Eventually(page, () => Assert.Equal(2, page.FindAll(".schedules-grid tbody tr").Count));
        Assert.Contains("2 retries from 300 s", page.Find(".schedules-grid tbody").TextContent, StringComparison.Ordinal);
        Assert.Equal(("create", "refunds-quarterly", "operator"), Schedules.Changes.Single());
        Assert.Contains("refunds-quarterly created", page.Find("#schedules-message").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NewSchedule_NameTaken_TheErrorIsAtTheName()
    {
        SignIn("operator", ConsoleRole.Operator);
        var page = RenderPage<SchedulesPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#schedule-new")));
        page.Find("#schedule-new").Click();
        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find("input#schedule-name")));

        Dialogs.Find("input#schedule-name").Change("charges-nightly");
        Dialogs.Find("#schedule-submit").Click();

        Eventually(Dialogs, () => Assert.Contains("exists already", Dialogs.Find(".field-error").TextContent, StringComparison.Ordinal));
        Assert.NotNull(Dialogs.Find(".field-error").ParentElement!.QuerySelector("#schedule-name"));
        Assert.Empty(Schedules.Changes);
    }

    [Fact]
    public void Pause_ThenResume_AsTheSignedInOperator()
    {
        SignIn("operator", ConsoleRole.Operator);
        var page = RenderPage<SchedulesPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#schedule-toggle-charges-nightly")));

        page.Find("#schedule-toggle-charges-nightly").Click();
        Eventually(page, () => Assert.Equal("paused", page.Find(".schedule-next").TextContent));
        Assert.NotNull(page.Find(".schedule-paused"));
        page.Find("#schedule-toggle-charges-nightly").Click();
        Eventually(page, () => Assert.Empty(page.FindAll(".schedule-paused")));

        Assert.Equal([("pause", "charges-nightly", "operator"), ("resume", "charges-nightly", "operator")], Schedules.Changes);
    }

    [Fact]
    public void Backfills_ShowProgressAndTheRunningPiece_PauseAndCancelForOperators()
    {
        SignIn("operator", ConsoleRole.Operator);
        var page = RenderPage<SchedulesPage>();
        Eventually(page, () => Assert.Single(page.FindAll(".backfills-grid tbody tr")));
        var row = page.Find("tr[data-backfill=bf-20261126-090000-aa11bb]");
        Assert.Equal("2 of 4 runs (a day each)", row.QuerySelector(".backfill-count")!.TextContent);
        Assert.Equal("/runs/run-20261126-090200-p00003", row.QuerySelector("a.run-id")!.GetAttribute("href"));

        page.Find("#backfill-pause-bf-20261126-090000-aa11bb").Click();
        Eventually(page, () => Assert.Equal("paused", page.Find(".backfill-state").TextContent));
        page.Find("#backfill-cancel-bf-20261126-090000-aa11bb").Click();
        Eventually(page, () => Assert.Equal("cancelled", page.Find(".backfill-state").TextContent));
        Assert.Empty(page.FindAll("#backfill-resume-bf-20261126-090000-aa11bb"));
        Assert.Equal([("pause", "bf-20261126-090000-aa11bb", "operator"), ("cancel", "bf-20261126-090000-aa11bb", "operator")], Backfills.Changes);
    }

    [Fact]
    public void NewBackfill_AFutureEndIsNamedAtTo_ThenTheRunsAreQueued()
    {
        SignIn("operator", ConsoleRole.Operator);
        var page = RenderPage<SchedulesPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#backfill-new")));
        page.Find("#backfill-new").Click();
        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find("input#backfill-to")));
        Assert.Contains("about 7 runs, one per day", Dialogs.Find("#backfill-plan").TextContent, StringComparison.Ordinal);

        Dialogs.Find("input#backfill-to").Change("2026-12-30T00:00");
        Dialogs.Find("#backfill-submit").Click();
        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find(".field-error").ParentElement!.QuerySelector("#backfill-to")));

        Dialogs.Find("input#backfill-to").Change("2026-11-25T00:00");
        Dialogs.Find("#backfill-submit").Click();
        Eventually(page, () => Assert.Equal(2, page.FindAll(".backfills-grid tbody tr").Count));
        Assert.Equal(("create", "bf-new", "operator"), Backfills.Changes.Single());
        Assert.Contains("Backfill bf-new queued: 6 runs", page.Find("#schedules-message").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("schedule:charges-nightly", "schedule charges-nightly")]
    [InlineData("backfill:bf-20261126-090000-aa11bb", "backfill bf-20261126-090000-aa11bb")]
    [InlineData("operator", "operator")]
    public void LaunchedBy_AScheduledRunNamesItsSchedule(string stored, string shown) => Assert.Equal(shown, RunText.LaunchedBy(stored));
}
