using OpsConsole.Shared.Quality;
using OpsConsole.Shared.State;
using OpsConsole.Shared.State.DynamoDb;
using OpsConsole.Shared.Storage;
using OpsConsole.TestSupport;

namespace OpsConsole.Shared.Tests;

/// <summary>The state-store specification on DynamoDB, against dynalite; each test on a table of its own.</summary>
public sealed class DynamoDbStateStoreTests(DynaliteServer dynalite) : StateStoreSpec, IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private readonly string _table = $"opsconsole-{Guid.NewGuid():N}";
    private DynamoDbStateStore? _store;

    protected override IStateStore Store => _store!;

    public async Task InitializeAsync()
    {
        await StateStores.Factory().InitAsync(dynalite.StateUri(_table));
        _store = (DynamoDbStateStore)StateStores.Open(dynalite.StateUri(_table));
    }

    public Task DisposeAsync()
    {
        _store?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Init_Twice_IsHarmless_AndOpenWithoutInit_SaysHowToCreateTheTable()
    {
        await StateStores.Factory().InitAsync(dynalite.StateUri(_table));

        var missing = Assert.Throws<StoreUnavailableException>(() => StateStores.Open(dynalite.StateUri("opsconsole-never-made")));

        Assert.Contains("The DynamoDB table opsconsole-never-made does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains("state init", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ASecondStoreOnTheTable_SeesTheSameState()
    {
        await Store.WriteCheckpointAsync("stripe", "customers", 42, 0, "run-1", "run committed");

        using var other = (DynamoDbStateStore)StateStores.Open(dynalite.StateUri(_table));

        Assert.Equal(42, (await other.GetCheckpointAsync("stripe", "customers"))!.Cursor);
    }

    [Theory]
    [InlineData("dynamodb://ab", "names the table 'ab'")]
    [InlineData("dynamodb://bad$name", "names the table 'bad$name'")]
    [InlineData("dynamodb://state/extra", "has the path '/extra' after the table")]
    [InlineData("dynamodb://state?endpoint=ftp://x", "has the parameter endpoint='ftp://x', which is not an http(s) URL.")]
    [InlineData("dynamodb://state?profile=x", "has the parameter 'profile', which a dynamodb: store does not take (it takes region, endpoint and retryBudget).")]
    [InlineData("dynamodb://state?retryBudget=soon", "has the parameter retryBudget='soon'; it is whole seconds from 0 to 3600.")]
    public void Open_WrongUri_SaysWhatIsWrong(string uri, string message) =>
        Assert.StartsWith(message, Assert.Throws<StoreUriException>(() => StateStores.Open(uri)).Message, StringComparison.Ordinal);

    [Fact]
    public void Open_NobodyListening_IsUnavailableNamingTheTable()
    {
        var exception = Assert.Throws<StoreUnavailableException>(() =>
            StateStores.Open($"dynamodb://opsconsole-state?endpoint=http://127.0.0.1:{LoopbackPorts.Free()}&region=us-east-1&retryBudget=1"));

        Assert.StartsWith("The state store (DynamoDB table opsconsole-state) failed", exception.Message, StringComparison.Ordinal);
        Assert.Contains("retry budget of 1 s is spent", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QualityReport_LargerThanAnItem_IsKeptShortened_PointingAtTheWholeOneInTheLake()
    {
        var rules = Enumerable.Range(0, 1_000).Select(i => new RuleResult
        {
            Rule = $"rule_{i}", Type = "not_null", Column = "email", Severity = Severity.Warn, Outcome = RuleOutcome.Failed, Threshold = "0", Failing = 20,
            Message = $"20 rows of {i} have no email", Samples = [.. Enumerable.Range(0, 20).Select(n => $"ch_{i:D6}_{n:D2}_{new string('x', 30)}")],
        }).ToList();
        var report = new QualityReport
        {
            RunId = "big-run", Source = "stripe", Stream = "charges", At = 1_790_000_000_000, Rows = 1_000_000, Outcome = QualityOutcomes.Warned, Rules = rules,
            Distributions = new Dictionary<string, IReadOnlyDictionary<string, double>> { ["currency"] = new Dictionary<string, double> { ["usd"] = 0.9, ["eur"] = 0.1 } },
        };
        Assert.True(report.ToJson().Length > 400_000);
        var lake = new Lake.Storage.Local.LocalLakeStorage(Path.Combine(Path.GetTempPath(), $"opsconsole-report-{Guid.NewGuid():N}"));
        await lake.WriteAsync(Lake.LakePaths.QualityReport("stripe", "charges", "big-run"), System.Text.Encoding.UTF8.GetBytes(report.ToJson()));

        await Store.SaveQualityReportAsync(report);
        var kept = (await Store.GetQualityReportAsync("big-run"))!;
        var whole = await Lake.Storage.WholeQualityReports.WholeAsync(kept, lake);

        Assert.Equal("raw/stripe/charges/_runs/big-run/quality.json", kept.FullReport);
        Assert.Equal(1_000, kept.Rules.Count);
        Assert.All(kept.Rules, r => Assert.Empty(r.Samples));
        Assert.Equal("big-run", (await Store.QualityReportsAsync("stripe", "charges", 5)).Single().RunId);
        Assert.Null(whole.FullReport);
        Assert.Equal(report.ToJson(), whole.ToJson());
        Directory.Delete(lake.Location, recursive: true);
    }
}
