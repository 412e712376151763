using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Runs;
using OpsConsole.Web.Components.Pages.Checkpoints;

namespace OpsConsole.Web.Tests.Components;

public sealed class CheckpointsPageTests : ConsoleComponentTest
{
    [Theory]
    [InlineData(ConsoleRole.Viewer, false)]
    [InlineData(ConsoleRole.Operator, false)]
    [InlineData(ConsoleRole.Admin, true)]
    public void OnlyAnAdmin_SeesChange(ConsoleRole role, bool seesChange)
    {
        SignIn("someone", role);

        var page = RenderPage<CheckpointsPage>();

        Eventually(page, () => Assert.Equal("1", page.Find(".checkpoint-version[data-stream=charges]").TextContent));
        Assert.Equal(seesChange ? 3 : 0, page.FindAll("[id^=change-]").Count);
        Assert.Equal(3, page.FindAll("[id^=history-]").Count);
    }

    [Fact]
    public void History_ListsEveryVersion()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Checkpoints.Rows[0] = Checkpoints.Rows[0] with { Version = 3 };
        var page = RenderPage<CheckpointsPage>();

        page.Find($"#history-{Checkpoints.Rows[0].Stream}").Click();

        Eventually(page, () => Assert.Equal(3, page.FindAll("#checkpoint-history tbody tr").Count));
    }

    [Fact]
    public void RunEnds_TheRowsReloadLive()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var stream = Checkpoints.Rows[0].Stream;
        var page = RenderPage<CheckpointsPage>();
        Eventually(page, () => Assert.Equal(1, Checkpoints.Lists));

        Checkpoints.Rows[0] = Checkpoints.Rows[0] with { Version = 2, LastRunId = "run-20261126-115900-abc123", LastRunState = "Succeeded" };
        Runs.Push(Run("run-20261126-115900-abc123", RunState.Succeeded, stream: stream));

        Eventually(page, () =>
        {
            Assert.Equal("2", page.Find($".checkpoint-version[data-stream={stream}]").TextContent);
            Assert.Contains("abc123", page.Markup, StringComparison.Ordinal);
        });
        // A batch that changes nothing on the rows (the same ended run again) does not reload.
        var lists = Checkpoints.Lists;
        Runs.Push(Run("run-20261126-115900-abc123", RunState.Succeeded, stream: stream));
        Thread.Sleep(200);
        Assert.Equal(lists, Checkpoints.Lists);
    }

    [Fact]
    public void Change_ButtonWaitsForTheTypedStreamName_ThenWritesAndSaysSo()
    {
        SignIn("admin", ConsoleRole.Admin);
        var stream = Checkpoints.Rows[0].Stream;
        var page = RenderPage<CheckpointsPage>();
        page.Find($"#change-{stream}").Click();
        Eventually(Dialogs, () => Assert.Single(Dialogs.FindAll("#checkpoint-submit")));

        Dialogs.Find("textarea#checkpoint-reason").Input("start over");
        Assert.True(Dialogs.Find("#checkpoint-submit").HasAttribute("disabled"));
        Dialogs.Find("input#checkpoint-confirm").Input(stream[..^1]);
        Eventually(Dialogs, () => Assert.True(Dialogs.Find("#checkpoint-submit").HasAttribute("disabled")));
        Dialogs.Find("input#checkpoint-confirm").Input(stream);
        Eventually(Dialogs, () => Assert.False(Dialogs.Find("#checkpoint-submit").HasAttribute("disabled")));

        Dialogs.Find("#checkpoint-submit").Click();

        Eventually(page, () => Assert.Contains($"stripe/{stream} is at version 2", page.Find("#checkpoint-message").TextContent, StringComparison.Ordinal));
        var change = Assert.Single(Checkpoints.Changes);
        Assert.Equal(CheckpointAction.Set, change.Action);
        Assert.Equal(stream, change.Confirm);
        Assert.Equal("start over", change.Reason);
        Assert.Empty(Dialogs.FindAll("#checkpoint-submit"));
        Eventually(Snackbars, () => Assert.Contains("is at version 2", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Change_Preview_ShowsTheProposedCursorAndTheNextWindow()
    {
        SignIn("admin", ConsoleRole.Admin);
        var stream = Checkpoints.Rows[0].Stream;
        var page = RenderPage<CheckpointsPage>();
        page.Find($"#change-{stream}").Click();
        Eventually(Dialogs, () => Assert.Single(Dialogs.FindAll("#checkpoint-submit")));

        Dialogs.Find("input#checkpoint-cursor").Change("2026-11-01T00:00:00");

        Eventually(Dialogs, () =>
        {
            Assert.Contains("(1793491200)", Dialogs.Find("#preview-proposed").TextContent, StringComparison.Ordinal);
            Assert.Contains("no run to estimate from", Dialogs.Find("#preview-estimate").TextContent, StringComparison.Ordinal);
        });
    }
}
