using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Tests;

/// <summary>The runs list as the grid asks for it: sorted, filtered and paged by SQLite.</summary>
public sealed class RunQueryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "opsconsole-tests", $"query-{Guid.NewGuid():N}");
    private SqliteRunStore _store = default!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var database = new SqliteDatabase(Options.Create(new DataOptions { Path = _folder }), NullLogger<SqliteDatabase>.Instance);
        await database.MigrateAsync();
        _store = new SqliteRunStore(database);
        // 30 ended runs, one a minute: run-00 the oldest; streams in turn; every third by the admin; records 100 x (i mod 7).
        string[] streams = ["charges", "refunds", "customers"];
        for (var i = 0; i < 30; i++)
        {
            var id = $"run-{i:00}";
            await _store.InsertAsync(new RunInfo
            {
                Id = id,
                Source = "stripe",
                Stream = streams[i % 3],
                Mode = "incremental",
                Workers = 4,
                State = i % 5 == 0 ? RunState.Failed : RunState.Succeeded,
                CreatedAt = Start.AddMinutes(i),
                LaunchedBy = i % 3 == 0 ? "admin" : "operator",
            });
            await _store.UpdateProgressAsync(id, RunProgress.None with { Records = 100 * (i % 7) });
        }
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Query_Default_NewestFirstInPagesThatDoNotOverlap()
    {
        var first = await _store.QueryAsync(new RunQuery());
        var second = await _store.QueryAsync(new RunQuery { Offset = 25 });

        Assert.Equal(30, first.Total);
        Assert.Equal(30, second.Total);
        Assert.Equal([.. Enumerable.Range(0, 30).Reverse().Select(i => $"run-{i:00}")], [.. first.Runs.Concat(second.Runs).Select(run => run.Id)]);
    }

    [Fact]
    public async Task List_KeysetPages_WalkEveryRunOnceNewestFirst_TiesOnTheId()
    {
        // Three more runs created in the same millisecond as run-15: the id breaks the tie, so no page repeats or skips one.
        foreach (var suffix in (string[])["a", "b", "c"])
        {
            await _store.InsertAsync(new RunInfo
            {
                Id = $"run-15{suffix}", Source = "stripe", Stream = "charges", Mode = "incremental", Workers = 4, State = RunState.Succeeded,
                CreatedAt = Start.AddMinutes(15), LaunchedBy = "operator",
            });
        }
        var seen = new List<string>();
        string? before = null;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await _store.ListAsync(4, before);
            Assert.NotNull(page);
            if (page.Count == 0)
            {
                break;
            }
            seen.AddRange(page.Select(run => run.Id));
            before = page[^1].Id;
        }

        var expected = Enumerable.Range(0, 30).Reverse()
            .SelectMany(i => i == 15 ? (string[])["run-15c", "run-15b", "run-15a", "run-15"] : [$"run-{i:00}"]).ToList();
        Assert.Equal(expected, seen);
        Assert.Equal(expected[..5], [.. (await _store.ListAsync(5))!.Select(run => run.Id)]);
    }

    [Fact]
    public async Task List_BeforeAnUnknownRun_IsNull_BeforeTheOldest_IsEmpty()
    {
        Assert.Null(await _store.ListAsync(10, "run-nope"));
        Assert.Empty((await _store.ListAsync(10, "run-00"))!);
    }

    [Fact]
    public async Task Query_PastTheEnd_EmptyPageWithTheTotal()
    {
        var page = await _store.QueryAsync(new RunQuery { Offset = 100 });

        Assert.Empty(page.Runs);
        Assert.Equal(30, page.Total);
    }

    [Fact]
    public async Task Query_Filters_AllApplyIgnoringCase()
    {
        var page = await _store.QueryAsync(new RunQuery
        {
            Filters =
            [
                new RunFilter(RunFields.Stream, RunFilterOperators.Equal, "CHARGES"),
                new RunFilter(RunFields.LaunchedBy, RunFilterOperators.StartsWith, "adm"),
                new RunFilter(RunFields.State, RunFilterOperators.Contains, "succ"),
            ],
        });

        // charges: i % 3 == 0, all by the admin; Succeeded: not i % 5 == 0.
        string[] expected = ["run-27", "run-24", "run-21", "run-18", "run-12", "run-09", "run-06", "run-03"];
        Assert.Equal(expected, page.Runs.Select(run => run.Id).ToArray());
        Assert.Equal(expected.Length, page.Total);
    }

    [Fact]
    public async Task Query_RecordsFilterAndSort_NumbersNotText()
    {
        var page = await _store.QueryAsync(new RunQuery
        {
            SortBy = RunFields.Records,
            Descending = false,
            Limit = 3,
            Filters = [new RunFilter(RunFields.Records, ">=", "500")],
        });

        // records 500 for i = 5, 12, 19, 26; 600 for i = 6, 13, 20, 27: ties break on the id, in the same direction.
        Assert.Equal<string>(["run-05", "run-12", "run-19"], [.. page.Runs.Select(run => run.Id)]);
        Assert.Equal(8, page.Total);
    }

    [Fact]
    public async Task Query_WildcardsTyped_MatchThemselves()
    {
        Assert.Equal(0, (await _store.QueryAsync(new RunQuery { Filters = [new RunFilter(RunFields.Id, RunFilterOperators.Contains, "%")] })).Total);
        Assert.Equal(0, (await _store.QueryAsync(new RunQuery { Filters = [new RunFilter(RunFields.Id, RunFilterOperators.Contains, "run_0")] })).Total);
        Assert.Equal(10, (await _store.QueryAsync(new RunQuery { Filters = [new RunFilter(RunFields.Id, RunFilterOperators.Contains, "run-0")] })).Total);
    }

    [Theory]
    [InlineData("sort", "password", "equals", "x", -1)]
    [InlineData("filter", "password", "equals", "x", 0)]
    [InlineData("filter.records", "records", ">", "ten", 0)]
    [InlineData("filter.records", "records", "contains", "1", 0)]
    [InlineData("filter.stream", "stream", "; DROP TABLE runs", "x", 0)]
    [InlineData("filter.stream", "stream", "equals", null, 0)]
    [InlineData("limit", "stream", "equals", "x", 501)]
    public void Validate_WrongPart_NamesIt(string field, string filterField, string op, string? value, int limitOrSort)
    {
        var query = limitOrSort switch
        {
            -1 => new RunQuery { SortBy = filterField },
            > 0 => new RunQuery { Limit = limitOrSort },
            _ => new RunQuery { Filters = [new RunFilter(filterField, op, value)] },
        };

        Assert.Equal(field, Assert.Throws<InvalidFieldException>(query.Validate).Field);
    }
}
