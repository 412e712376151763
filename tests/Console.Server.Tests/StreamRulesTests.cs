using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>
/// A stream's rules file from the console, with the real job: suggested from the table by <c>rules suggest</c>,
/// saved by an admin into the data folder's rules folder (checked as a run would, an audit entry), judged by the next run.
/// </summary>
public sealed class StreamRulesTests
{
    [Fact]
    public async Task Suggest_ThenAdminSaves_TheNextRunJudgesTheSavedRules_AndEveryRefusalIsNamed()
    {
        using var console = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Sandbox:Charges"] = "300", ["Sandbox:LatencyMs"] = "0", ["Sandbox:JitterMs"] = "0" });
        using var viewer = console.BasicClient("viewer");
        using var operatorClient = console.BasicClient("operator");
        using var admin = console.BasicClient("admin");

        // Before any run: the built-in rules, nothing to profile.
        var builtIn = (await viewer.GetFromJsonAsync<StreamRules>("/api/quality/stripe/charges/rules-file"))!;
        Assert.True(builtIn.BuiltIn);
        Assert.Equal("the built-in charges rules", builtIn.Origin);
        Assert.True(builtIn.Rules > 5);
        Assert.Equal(Path.Combine(console.DataPath, "rules", "charges.yaml"), builtIn.SavePath);
        var noTable = await operatorClient.PostAsync("/api/quality/stripe/charges/suggestions", null);
        Assert.Equal(HttpStatusCode.Conflict, noTable.StatusCode);
        Assert.Contains("has no table yet", await noTable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/quality/stripe/invoices/rules-file")).StatusCode);

        var first = await WaitForEndAsync(operatorClient, (await LaunchAsync(operatorClient, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);
        Assert.Equal(RunState.Succeeded, first.State);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/quality/stripe/charges/suggestions", null)).StatusCode);
        var response = await operatorClient.PostAsync("/api/quality/stripe/charges/suggestions", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var suggestion = (await response.Content.ReadFromJsonAsync<RuleSuggestion>())!;
        Assert.StartsWith("# Rules suggested for stripe/charges from its table (version ", suggestion.Yaml, StringComparison.Ordinal);
        Assert.Contains("300 rows", suggestion.Yaml, StringComparison.Ordinal);
        Assert.Contains("- type: unique\n    column: id", suggestion.Yaml, StringComparison.Ordinal);
        Assert.True(suggestion.Rules >= 10, $"{suggestion.Rules} rules");

        // Saving: admins only, the text checked as a run would check it, nothing written on a mistake.
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PutAsJsonAsync("/api/quality/stripe/charges/rules-file", new { yaml = suggestion.Yaml })).StatusCode);
        foreach (var (yaml, named) in new[]
                 {
                     ("", "is empty"),
                     ("rules:\n  - type: not_null\n    column: emial\n", "key 'column'"),
                     ("rules: [", "not valid YAML"),
                 })
        {
            var refused = await admin.PutAsJsonAsync("/api/quality/stripe/charges/rules-file", new { yaml });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadAsStringAsync();
            Assert.Contains("\"yaml\"", problem, StringComparison.Ordinal);
            Assert.Contains(named, problem, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(builtIn.SavePath));
        // A suggestion the admin tightened: one more rule, blocking, that this data breaks.
        var edited = suggestion.Yaml + "  - type: row_count_between\n    name: at_most_ten\n    max: 10\n    blocking: true\n";
        var saved = await admin.PutAsJsonAsync("/api/quality/stripe/charges/rules-file", new { yaml = edited });
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        var current = (await saved.Content.ReadFromJsonAsync<StreamRules>())!;
        Assert.Equal((false, builtIn.SavePath, suggestion.Rules + 1), (current.BuiltIn, current.Origin, current.Rules));
        Assert.Equal(edited, await File.ReadAllTextAsync(builtIn.SavePath!));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(builtIn.SavePath)!, "*.tmp"));

        var entry = Assert.Single(await console.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.QualityRulesSave }));
        Assert.Equal(("admin", "stripe/charges", builtIn.SavePath), (entry.Actor, entry.Stream, entry.Target));
        using (var before = JsonDocument.Parse(entry.Before!))
        using (var after = JsonDocument.Parse(entry.After!))
        {
            Assert.True(before.RootElement.GetProperty("builtIn").GetBoolean());
            Assert.Equal(builtIn.Text, before.RootElement.GetProperty("text").GetString());
            Assert.Equal(edited, after.RootElement.GetProperty("text").GetString());
        }

        // The next run judges the saved file: the added blocking rule stops it; the other streams keep their built-in rules.
        var second = await WaitForEndAsync(operatorClient, (await LaunchAsync(operatorClient, new { stream = "charges", mode = "full", workers = 4 })).Id, seconds: 120);
        Assert.Equal((RunState.Failed, 3, "blocked"), (second.State, second.ExitCode, second.Quality));
        var report = (await viewer.GetFromJsonAsync<QualityReport>($"/api/runs/{second.Id}/quality"))!;
        Assert.Contains(report.Rules, rule => rule.Rule == "at_most_ten" && rule.Outcome == RuleOutcome.Failed);
        Assert.Contains(report.Rules, rule => rule.Type == "unique" && rule.Column == "id" && rule.Outcome == RuleOutcome.Passed);
        Assert.True((await viewer.GetFromJsonAsync<StreamRules>("/api/quality/stripe/refunds/rules-file"))!.BuiltIn);
    }

    [Fact]
    public async Task OneFileForEveryStream_IsShownButNotSavable_TheReasonNamesTheSetting()
    {
        var file = Path.Combine(Path.GetTempPath(), $"opsconsole-rules-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "rules:\n  - type: row_count_between\n    min: 1\n");
        try
        {
            using var console = ConsoleAppFactory.With(new Dictionary<string, string?> { ["Quality:RulesPath"] = file });
            using var admin = console.BasicClient("admin");

            var rules = (await admin.GetFromJsonAsync<StreamRules>("/api/quality/stripe/customers/rules-file"))!;
            Assert.Equal((false, file, 1, (string?)null), (rules.BuiltIn, rules.Origin, rules.Rules, rules.SavePath));
            Assert.Contains("Quality:RulesPath is one file for every stream", rules.WhyNotSavable, StringComparison.Ordinal);
            var refused = await admin.PutAsJsonAsync("/api/quality/stripe/customers/rules-file", new { yaml = "rules:\n  - type: row_count_between\n    min: 2\n" });
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("rules:\n  - type: row_count_between\n    min: 1\n", await File.ReadAllTextAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
