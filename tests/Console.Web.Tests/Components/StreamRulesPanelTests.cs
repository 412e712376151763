using Bunit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;
using OpsConsole.Web.Components.Pages.Quality;

namespace OpsConsole.Web.Tests.Components;

/// <summary>The Quality page's rules file: suggesting (Operator and up) next to the current rules, saving (Admin).</summary>
public sealed class StreamRulesPanelTests : ConsoleComponentTest
{
    [Fact]
    public void Viewer_SeesTheCurrentRules_NoSuggestButton()
    {
        SignIn("viewer", ConsoleRole.Viewer);
        Quality.Reports.Add(RunDetailPageTests.Report("run-1", "passed", "charges", 1_795_000_000_000));

        var page = RenderPage<QualityPage>();

        Eventually(page, () => Assert.Contains("Its runs judge the built-in rules (2)", page.Find("#rules-origin").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("#suggest-rules"));
        Assert.Contains("type: unique", page.Find(".rules-current pre").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_SuggestsWithProgress_SeesTheProposalNextToTheCurrentRules_CannotSave()
    {
        SignIn("operator", ConsoleRole.Operator);
        Quality.Reports.Add(RunDetailPageTests.Report("run-1", "passed", "charges", 1_795_000_000_000));
        StreamRules.Release = new TaskCompletionSource();
        var page = RenderPage<QualityPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#suggest-rules")));

        page.Find("#suggest-rules").Click();

        Eventually(page, () => Assert.Equal("profiled file 1 of 2: 150 rows", page.Find("#suggest-progress").TextContent));
        Assert.True(page.Find("#suggest-rules").HasAttribute("disabled"));
        StreamRules.Release.SetResult();
        Eventually(page, () => Assert.Contains("- type: not_null", page.Find("#rules-suggested").TextContent, StringComparison.Ordinal));
        Assert.Contains("type: unique", page.Find("#rules-current").TextContent, StringComparison.Ordinal);
        Assert.Contains("Suggested: 1 rule ", page.Find(".rules-compare").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("#save-rules"));
        Assert.Empty(page.FindAll("#rules-draft"));
        Assert.Empty(page.FindAll("#suggest-progress"));
    }

    [Fact]
    public void Admin_EditsAndSaves_TheCurrentRulesChange_AMistakeIsNamedAtTheDraft()
    {
        SignIn("admin", ConsoleRole.Admin);
        Quality.Reports.Add(RunDetailPageTests.Report("run-1", "passed", "charges", 1_795_000_000_000));
        var page = RenderPage<QualityPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#suggest-rules")));
        page.Find("#suggest-rules").Click();
        Eventually(page, () => Assert.Equal(FakeStreamRulesService.Suggested, page.Find("#rules-draft").GetAttribute("value")));

        StreamRules.SaveRefusal = "charges.yaml: rules[1] (line 6): rule 'not_null_emial', key 'column': 'emial' is not a column of charges.";
        page.Find("#rules-draft").Input(FakeStreamRulesService.Suggested + "  - type: not_null\n    column: emial\n");
        page.Find("#save-rules").Click();
        Eventually(page, () => Assert.Contains("key 'column'", page.Find("#rules-save-error").TextContent, StringComparison.Ordinal));
        Assert.Empty(StreamRules.Saves);

        StreamRules.SaveRefusal = null;
        page.Find("#rules-draft").Input(FakeStreamRulesService.Suggested);
        page.Find("#save-rules").Click();

        Eventually(page, () => Assert.Contains("Saved 1 rule to /data/rules/charges.yaml", page.Find("#rules-saved").TextContent, StringComparison.Ordinal));
        Assert.Equal(("charges", FakeStreamRulesService.Suggested, "admin"), Assert.Single(StreamRules.Saves));
        Assert.Contains("Its runs judge 1 rule from /data/rules/charges.yaml", page.Find("#rules-origin").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".rules-compare"));
    }

    [Fact]
    public void Admin_WhereRulesCannotBeSaved_SeesWhy_AndASuggestionFailureIsShown()
    {
        SignIn("admin", ConsoleRole.Admin);
        Quality.Reports.Add(RunDetailPageTests.Report("run-1", "passed", "charges", 1_795_000_000_000));
        StreamRules.WhyNotSavable = "Quality:RulesPath is one file for every stream ('/etc/rules.yaml'): set it to a folder.";
        var page = RenderPage<QualityPage>();
        Eventually(page, () => Assert.NotNull(page.Find("#suggest-rules")));

        page.Find("#suggest-rules").Click();
        Eventually(page, () => Assert.Contains("one file for every stream", page.Find("#rules-not-savable").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("#save-rules"));

        page.Find("#discard-suggestion").Click();
        StreamRules.SuggestFails = new RulesConflictException("A rules suggestion for stripe/refunds is running: one at a time.");
        page.Find("#suggest-rules").Click();
        Eventually(page, () => Assert.Contains("stripe/refunds is running", page.Find("#suggest-error").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll(".rules-compare"));
    }
}
