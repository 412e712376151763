using Bunit;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Web.Components.Pages.Audit;

namespace OpsConsole.Web.Tests.Components;

public sealed class AuditPageTests : ConsoleComponentTest
{
    [Fact]
    public void Entries_NewestFirstWithAReadableDiff()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Audit.Entries.Add(new AuditEntry
        {
            Id = 1, Actor = "admin", Action = AuditActions.CheckpointReset, Target = "stripe/charges", Outcome = "ok", Reason = "replay",
            Before = """{"cursor":1790000000,"version":3}""", After = """{"cursor":null,"version":4}""",
        });
        Audit.Entries.Add(new AuditEntry { Id = 2, Actor = "operator", Action = AuditActions.RunLaunch, Target = "run-20261126-115900-abc123", Outcome = "ok" });

        var page = RenderPage<AuditPage>();

        Eventually(page, () =>
        {
            var rows = page.FindAll("#audit-grid tbody tr");
            Assert.Equal(2, rows.Count);
            Assert.Contains("run.launch", rows[0].TextContent, StringComparison.Ordinal);
            Assert.Equal("/runs/run-20261126-115900-abc123", rows[0].QuerySelector("a")!.GetAttribute("href"));
            Assert.Contains(page.FindAll(".audit-diff li"), li => li.TextContent == "cursor: 1790000000 → —");
        });
    }

    [Fact]
    public void ActorFilter_AppliesAsYouType()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Audit.Entries.Add(new AuditEntry { Id = 1, Actor = "admin", Action = AuditActions.UserUnlock, Target = "viewer", Outcome = "ok" });
        Audit.Entries.Add(new AuditEntry { Id = 2, Actor = "operator", Action = AuditActions.RunLaunch, Target = "run-x", Outcome = "ok" });
        var page = RenderPage<AuditPage>();
        Eventually(page, () => Assert.Equal(2, page.FindAll("#audit-grid tbody tr").Count));

        page.Find("input#audit-actor").Input("admin");

        Eventually(page, () =>
        {
            Assert.Equal("admin", Audit.Last!.Actor);
            Assert.Single(page.FindAll("#audit-grid tbody tr"));
        });
    }

    [Fact]
    public void Nothing_EmptyState()
    {
        SignIn("viewer", ConsoleRole.Viewer);

        var page = RenderPage<AuditPage>();

        Eventually(page, () => Assert.Contains("Nothing has been recorded yet.", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void StoreDown_SaysWhy()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Audit.Error = new IOException("database is locked");

        var page = RenderPage<AuditPage>();

        Eventually(page, () => Assert.Contains("The audit log could not be read: database is locked", page.Markup, StringComparison.Ordinal));
    }
}
