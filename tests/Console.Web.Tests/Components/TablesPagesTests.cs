using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Tables;
using OpsConsole.Web.Components.Pages.Tables;

namespace OpsConsole.Web.Tests.Components;

public sealed class TablesPagesTests : ConsoleComponentTest
{
    [Fact]
    public void TablesPage_ListsEveryTable_WithItsFigures_AndTheSmallFileWarning()
    {
        SignIn("viewer", ConsoleRole.Viewer);

        var page = RenderPage<TablesPage>();

        Eventually(page, () => Assert.Equal(3, page.FindAll(".tables-grid tbody tr").Count));
        var charges = page.Find("tr[data-stream=charges]");
        Assert.Equal("12", charges.QuerySelector(".table-version")!.TextContent);
        Assert.Equal("4,200", charges.QuerySelector(".table-rows")!.TextContent);
        Assert.Contains("1 to compact", charges.TextContent, StringComparison.Ordinal);
        Assert.Equal("/tables/stripe/charges", charges.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("no commit yet", page.Find("tr[data-stream=customers]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ConsoleRole.Viewer, false)]
    [InlineData(ConsoleRole.Operator, false)]
    [InlineData(ConsoleRole.Admin, true)]
    public void DetailPage_ShowsPartitionsSchemaAndHistory_AndMaintenanceOnlyToAdmins(ConsoleRole role, bool maintains)
    {
        SignIn("someone", role);

        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "charges"));

        Eventually(page, () => Assert.Equal("12", page.Find("#table-version").TextContent));
        Assert.Equal(2, page.FindAll(".partitions-grid tbody tr").Count);
        Assert.Contains("3 to compact", page.Find("tr[data-dt='2026-11-26']").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("#small-files-warning"));
        Assert.Equal(maintains, page.FindAll("#table-compact, #table-vacuum, #table-clean-log").Count == 3);
        Assert.Empty(page.FindAll(maintains ? "#nothing" : "#table-vacuum"));
    }

    [Fact]
    public void DetailPage_History_LinksTheRunOfACommit()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "charges"));
        Eventually(page, () => Assert.NotNull(page.Find("#table-version")));

        page.FindAll(".mud-tab").Single(t => t.TextContent.Contains("History", StringComparison.Ordinal)).Click();

        Eventually(page, () => Assert.Equal(2, page.FindAll(".history-grid tbody tr").Count));
        var merge = page.Find("tr[data-version='11']");
        Assert.Equal("/runs/run-20261126-113000-abc123", merge.QuerySelector("a.run-id")!.GetAttribute("href"));
        Assert.Contains("+1,500 / −700", merge.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void DetailPage_ManyPartitions_ShowsTheNewestMonth_ThenAllOnRequest()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Tables.ExtraPartitions = 98;
        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "charges"));
        Eventually(page, () => Assert.Equal(31, page.FindAll(".partitions-grid tbody tr").Count));
        Assert.Equal("2026-11-26", page.Find(".partitions-grid tbody tr").GetAttribute("data-dt"));

        page.Find("#all-partitions").Click();

        Eventually(page, () => Assert.Equal(100, page.FindAll(".partitions-grid tbody tr").Count));
        Assert.Empty(page.FindAll("#all-partitions"));
    }

    [Fact]
    public void DetailPage_UnknownStream_SaysSo()
    {
        SignIn("viewer", ConsoleRole.Viewer);

        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "payouts"));

        Eventually(page, () => Assert.Contains("No such table", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Vacuum_DryRunFirst_ThenTheTypedNameApplies()
    {
        SignIn("admin", ConsoleRole.Admin);
        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "charges"));
        Eventually(page, () => Assert.NotNull(page.Find("#table-vacuum")));

        page.Find("#table-vacuum").Click();
        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find("#maintenance-preview")));
        Dialogs.Find("#maintenance-preview").Click();

        Eventually(Dialogs, () => Assert.Contains("would delete 2 files", Dialogs.Find("#maintenance-preview-result").TextContent, StringComparison.Ordinal));
        Assert.Contains("part-old-1.parquet", Dialogs.Markup, StringComparison.Ordinal);
        Assert.True(Dialogs.Find("#maintenance-submit").HasAttribute("disabled"));
        var (dry, _) = Tables.Requests.Single();
        Assert.Equal((MaintenanceAction.Vacuum, false, 168.0), (dry.Action!.Value, dry.Apply, dry.RetainHours!.Value));

        Dialogs.Find("input#maintenance-confirm").Input("charges");
        Eventually(Dialogs, () => Assert.False(Dialogs.Find("#maintenance-submit").HasAttribute("disabled")));
        Dialogs.Find("#maintenance-submit").Click();

        Eventually(Dialogs, () => Assert.Empty(Dialogs.FindAll("#maintenance-submit")));
        var (applied, caller) = Tables.Requests[^1];
        Assert.True(applied.Apply);
        Assert.Equal("charges", applied.Confirm);
        Assert.Equal("admin", caller.Name);
        Eventually(Snackbars, () => Assert.Contains("stripe/charges: deleted 2 files", Snackbars.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Compact_WhileARunIsActive_ShowsWhyAndLinksTheRun()
    {
        SignIn("admin", ConsoleRole.Admin);
        Tables.BusyWith = "run-20261126-115900-def456";
        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "charges"));
        Eventually(page, () => Assert.NotNull(page.Find("#table-compact")));

        page.Find("#table-compact").Click();
        Eventually(Dialogs, () => Assert.NotNull(Dialogs.Find("#maintenance-partition")));
        Dialogs.Find("input#maintenance-confirm").Input("charges");
        Eventually(Dialogs, () => Assert.False(Dialogs.Find("#maintenance-submit").HasAttribute("disabled")));
        Dialogs.Find("#maintenance-submit").Click();

        Eventually(Dialogs, () => Assert.Contains("has an active run, run-20261126-115900-def456", Dialogs.Markup, StringComparison.Ordinal));
        Assert.Contains("/runs/run-20261126-115900-def456", Dialogs.Markup, StringComparison.Ordinal);
        Assert.Equal(MaintenanceAction.Compact, Tables.Requests.Single().Request.Action);
    }

    [Theory]
    [InlineData(ConsoleRole.Viewer, true)]
    [InlineData(ConsoleRole.Admin, false)]
    public void Preview_ShowsRows_MaskingPersonalColumnsForNonAdmins_AndNamesABadFilter(ConsoleRole role, bool masked)
    {
        SignIn("someone", role);
        var page = RenderPage<TableDetailPage>(p => p.Add(x => x.Source, "stripe").Add(x => x.Stream, "charges"));
        Eventually(page, () => Assert.NotNull(page.Find("#table-version")));
        page.FindAll(".mud-tab").Single(t => t.TextContent.Contains("Preview", StringComparison.Ordinal)).Click();

        Eventually(page, () => Assert.NotNull(page.Find("#preview-show")));
        page.Find("#preview-show").Click();

        Eventually(page, () => Assert.Equal(2, page.FindAll(".preview-grid tbody tr").Count));
        Assert.Equal(masked, page.Find(".preview-grid thead").TextContent.Contains("_extra (masked)", StringComparison.Ordinal));
        Assert.Equal(masked, page.Find(".preview-grid tbody").TextContent.Contains(TablePreview.MaskText, StringComparison.Ordinal));
        Assert.Contains("1790086400", page.Find(".preview-grid tbody").TextContent, StringComparison.Ordinal);

        page.Find("input#preview-dt").Change("2026-9-1");
        page.Find("#preview-show").Click();
        Eventually(page, () => Assert.Contains("'2026-9-1' is not a date", page.Markup, StringComparison.Ordinal));

        page.Find("input#preview-dt").Change("");
        page.Find("input#preview-id").Change("ch_1");
        page.Find("#preview-show").Click();
        Eventually(page, () => Assert.Single(page.FindAll(".preview-grid tbody tr")));
        Assert.Equal("ch_1", Tables.Previews[^1].Id);
        Assert.Null(Tables.Previews[^1].Dt);
    }
}
