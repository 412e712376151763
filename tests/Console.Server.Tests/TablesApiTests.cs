using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Server.Data;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Tables;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.TestSupport;
using static OpsConsole.Server.Tests.RunTestSupport;

namespace OpsConsole.Server.Tests;

/// <summary>The lake's tables through the API: summaries, partitions, schema, history, and the admins' maintenance.</summary>
public sealed class TablesApiTests : IDisposable
{
    private const long Start = 1_790_000_000, Day = 86_400;
    private readonly ConsoleAppFactory _console = FakeJobConsole();

    public void Dispose() => _console.Dispose();

    [Theory]
    [InlineData("viewer", HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("operator", HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.OK, HttpStatusCode.OK)]
    public async Task RoleMatrix_EveryoneReads_OnlyAdminsMaintain(string user, HttpStatusCode read, HttpStatusCode maintain)
    {
        await MergeAsync("charges", "run-1", ("ch_a", Start));
        using var client = _console.BasicClient(user);

        Assert.Equal(read, (await client.GetAsync("/api/tables")).StatusCode);
        Assert.Equal(read, (await client.GetAsync("/api/tables/stripe/charges")).StatusCode);
        Assert.Equal(read, (await client.GetAsync("/api/tables/stripe/charges/history")).StatusCode);
        Assert.Equal(maintain, (await client.PostAsJsonAsync("/api/tables/stripe/charges/maintenance", new { action = "vacuum" })).StatusCode);
        using var anonymous = _console.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/tables")).StatusCode);
    }

    [Fact]
    public async Task ListDetailAndHistory_DescribeTheTableFromItsLog()
    {
        await MergeAsync("charges", "run-20261207-100000-aaaaaa", ("ch_a", Start), ("ch_b", Start + Day), ("ch_c", Start + Day));
        await MergeAsync("charges", "run-20261207-110000-bbbbbb", ("ch_b", Start + Day), ("ch_d", Start + Day));
        using var client = _console.BasicClient("viewer");

        var tables = (await client.GetFromJsonAsync<List<TableSummary>>("/api/tables", Json))!;
        Assert.Equal(["charges", "customers", "refunds"], tables.Select(t => t.Stream));
        var charges = tables[0];
        Assert.Equal((1L, 4L, 2, 2), (charges.Version, charges.Rows, charges.Files, charges.Partitions));
        Assert.Equal(-1, tables[1].Version);

        var detail = (await client.GetFromJsonAsync<TableDetail>("/api/tables/stripe/charges", Json))!;
        Assert.Equal([(LakeTable.PartitionOf(Start + Day), 3L, 1), (LakeTable.PartitionOf(Start), 1L, 1)], detail.Partitions.Select(p => (p.Dt, p.Rows, p.Files)));
        Assert.Contains(detail.Columns, c => c is { Name: "created_at", Type: "timestamp", Nullable: true, Partition: false });
        Assert.Contains(detail.Columns, c => c is { Name: "dt", Partition: true });

        var history = (await client.GetFromJsonAsync<List<TableCommit>>("/api/tables/stripe/charges/history", Json))!;
        Assert.Equal([1L, 0L], history.Select(h => h.Version));
        Assert.Equal(("MERGE", "run-20261207-110000-bbbbbb", 1, 1, 3L, 2L), (history[0].Operation, history[0].RunId, history[0].FilesAdded, history[0].FilesRemoved,
            history[0].RowsAdded, history[0].RowsRemoved));
        Assert.Equal((2, 0, 3L), (history[1].FilesAdded, history[1].FilesRemoved, history[1].RowsAdded));
        Assert.NotNull(history[0].At);
    }

    [Fact]
    public async Task BadParameters_Are400NamingTheField_AndAnUnknownStreamIs404()
    {
        await MergeAsync("charges", "run-1", ("ch_a", Start));
        using var admin = _console.BasicClient("admin");

        foreach (var (body, field) in new (object, string)[]
        {
            (new { }, "action"),
            (new { action = "vacuum", retainHours = 0.5 }, "retainHours"),
            (new { action = "cleanLog", retainHours = -1, apply = true, confirm = "charges" }, "retainHours"),
            (new { action = "compact", targetMib = 0 }, "targetMib"),
            (new { action = "compact", partition = "2026-02-30" }, "partition"),
            (new { action = "compact", confirm = "refunds" }, "confirm"),
            (new { action = "vacuum", apply = true }, "confirm"),
        })
        {
            var response = await admin.PostAsJsonAsync("/api/tables/stripe/charges/maintenance", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)} does not name {field}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/tables/stripe/charges/history?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/tables/stripe/payouts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/tables/stripe/payouts/maintenance", new { action = "vacuum" })).StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit?action=table.compact", Json))!);
    }

    [Fact]
    public async Task Compact_MergesSmallFiles_IsAudited_AndTheTableKeepsItsRows()
    {
        await MergeAsync("refunds", "run-1", ("re_a", Start));
        await MergeAsync("refunds", "run-2", ("re_b", Start + Day));
        await AppendAsync("refunds", LakeTable.PartitionOf(Start), "other-engine", ("re_c", Start + 60));
        using var admin = _console.BasicClient("admin");
        Assert.Equal(1, (await admin.GetFromJsonAsync<List<TableSummary>>("/api/tables", Json))!.Single(t => t.Stream == "refunds").PartitionsToCompact);

        var response = await admin.PostAsJsonAsync("/api/tables/stripe/refunds/maintenance", new { action = "compact", confirm = "refunds" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = (await response.Content.ReadFromJsonAsync<MaintenanceOutcome>(Json))!;
        Assert.Equal((true, 2, 1, 3L), (outcome.Applied, outcome.Files, outcome.FilesAdded, outcome.Version));
        var table = (await admin.GetFromJsonAsync<TableSummary[]>("/api/tables", Json))!.Single(t => t.Stream == "refunds");
        Assert.Equal((3L, 2, 0), (table.Rows, table.Files, table.PartitionsToCompact));
        var history = (await admin.GetFromJsonAsync<List<TableCommit>>("/api/tables/stripe/refunds/history", Json))!;
        Assert.Equal(("OPTIMIZE", 2L, 2L), (history[0].Operation, history[0].RowsAdded, history[0].RowsRemoved));
        var audit = (await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit?action=table.compact", Json))!.Single();
        Assert.Equal(("admin", "stripe/refunds"), (audit.Actor, audit.Target));
        Assert.Equal("ok", audit.Outcome);
        Assert.Contains("compacted 2 files", audit.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Maintenance_WhileTheStreamHasAnActiveRun_Is409NamingTheRun_AndIsAudited_AndALaunchDuringItIsRefused()
    {
        await MergeAsync("customers", "run-1", ("cus_a", Start));
        using var admin = _console.BasicClient("admin");
        var run = await LaunchAsync(admin, new { stream = "customers" });
        await WaitForAsync(admin, run.Id, r => r.State == RunState.Running);

        var response = await admin.PostAsJsonAsync("/api/tables/stripe/customers/maintenance", new { action = "vacuum", apply = true, confirm = "customers" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(run.Id, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("activeRunId").GetString());
        var audit = (await admin.GetFromJsonAsync<List<AuditEntry>>("/api/audit?action=table.vacuum", Json))!.Single();
        Assert.Equal($"refused: run {run.Id} is active", audit.Outcome);
        // A dry run reads only: it is answered while the run goes on.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/tables/stripe/customers/maintenance", new { action = "vacuum" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/runs/{run.Id}/cancel", null)).StatusCode);
        await WaitForEndAsync(admin, run.Id);

        // While the console maintains a table it holds the stream: a launch then is refused and says why.
        var state = _console.Services.GetRequiredService<OpsConsole.Shared.State.IStateStore>();
        await state.AcquireLeaseAsync("stripe", "customers", "table-maintenance@admin:test", TimeSpan.FromSeconds(30));
        var launch = await admin.PostAsJsonAsync("/api/runs", new { stream = "customers" });
        Assert.Equal(HttpStatusCode.Conflict, launch.StatusCode);
        Assert.Contains("an administrator is maintaining the table", await launch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("viewer", true)]
    [InlineData("operator", true)]
    [InlineData("admin", false)]
    public async Task Preview_ShowsTheNewestRows_WithPersonalColumnsMaskedUnlessAdmin(string user, bool masked)
    {
        await MergeCustomersAsync("run-1", ("cus_a", Start, "ann@example.com"), ("cus_b", Start + Day, "bob@example.com"), ("cus_c", Start + Day + 60, null));
        using var client = _console.BasicClient(user);

        var preview = (await client.GetFromJsonAsync<JsonElement>("/api/tables/stripe/customers/preview"))!;

        var columns = preview.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Contains("dt", columns);
        var rows = preview.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToList()).ToList();
        Assert.Equal(["cus_c", "cus_b", "cus_a"], rows.Select(r => r[columns.IndexOf("id")].GetString()));
        Assert.Equal(LakeTable.PartitionOf(Start), rows[2][columns.IndexOf("dt")].GetString());
        var emails = rows.Select(r => r[columns.IndexOf("email")]).ToList();
        Assert.Equal(JsonValueKind.Null, emails[0].ValueKind);
        Assert.Equal(masked ? TablePreview.MaskText : "bob@example.com", emails[1].GetString());
        Assert.Equal(masked ? ["_extra", "email", "name", "phone"] : [],
            preview.GetProperty("masked").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(Start, rows[2][columns.IndexOf("created")].GetInt64());
        if (masked)
        {
            Assert.DoesNotContain("example.com", preview.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Preview_ByDtIdAndVersion_AndNoParameterReachesTheSql()
    {
        await MergeCustomersAsync("run-1", ("cus_a", Start, "ann@example.com"), ("cus_c", Start + 60, "cy@example.com"), ("cus_b", Start + Day, "bob@example.com"));
        await MergeCustomersAsync("run-2", ("cus_b", Start + Day, "robert@example.com"));
        using var admin = _console.BasicClient("admin");

        async Task<List<string>> IdsAsync(string query)
        {
            var response = await admin.GetAsync($"/api/tables/stripe/customers/preview?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
            var columns = preview.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
            return [.. preview.GetProperty("rows").EnumerateArray().Select(r => $"{r[columns.IndexOf("id")].GetString()}:{r[columns.IndexOf("email")].GetString()}")];
        }

        Assert.Equal(["cus_c:cy@example.com", "cus_a:ann@example.com"], await IdsAsync($"dt={LakeTable.PartitionOf(Start)}"));
        Assert.Equal(["cus_b:robert@example.com"], await IdsAsync("id=cus_b"));
        Assert.Equal(["cus_b:bob@example.com"], await IdsAsync("id=cus_b&version=0"));
        Assert.Equal(["cus_b:robert@example.com"], await IdsAsync("limit=1"));
        // Text that would change a query built by pasting: a bound parameter matches nothing. Each sorts between cus_a
        // and cus_c, so the file holding both is read and DuckDB runs the query.
        foreach (var id in new[] { "cus_b' OR '1'='1", "cus_a' --", "cus_b'; DROP TABLE t; --", "cus_a\\\"", "cus_a%", "cus_b\" UNION SELECT 1 --" })
        {
            var response = await admin.GetFromJsonAsync<JsonElement>($"/api/tables/stripe/customers/preview?id={Uri.EscapeDataString(id)}");
            Assert.Equal(0, response.GetProperty("rows").GetArrayLength());
            Assert.True(response.GetProperty("filesRead").GetInt32() >= 1, $"{id}: no file was read, so the query never ran");
        }

        foreach (var (query, field) in new[]
        {
            ("version=abc", "version"), ("version=-1", "version"), ("version=7", "version"), ("version=1%3B%20SELECT%201", "version"),
            ("dt=2026-13-01", "dt"), ($"dt={Uri.EscapeDataString("2026-01-01' OR 1=1 --")}", "dt"),
            ("limit=0", "limit"), ("limit=101", "limit"), ("limit=1%20UNION%20SELECT%201", "limit"),
            ($"id={new string('x', 256)}", "id"), ("id=%0Aabc", "id"),
        })
        {
            var response = await admin.GetAsync($"/api/tables/stripe/customers/preview?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), $"{query} does not name {field}");
        }
    }

    [Fact]
    public async Task Preview_OfAVersionWhoseFilesAVacuumRemoved_Is400NamingTheVersion()
    {
        await MergeCustomersAsync("run-1", ("cus_a", Start, "ann@example.com"));
        await MergeCustomersAsync("run-2", ("cus_a", Start, "anne@example.com"));
        var storage = _console.Services.GetRequiredService<ConsoleLake>().Storage;
        var old = (await new OpsConsole.Shared.Lake.Delta.DeltaLog(storage, "raw/stripe/customers").ReadSnapshotAsync(0)).Files.Keys.Single();
        await storage.DeleteAsync($"raw/stripe/customers/{old}");
        using var viewer = _console.BasicClient("viewer");

        var response = await viewer.GetAsync("/api/tables/stripe/customers/preview?version=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("no longer in the lake", errors.GetProperty("version")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tables/stripe/customers/preview?version=1")).StatusCode);
    }

    private async Task MergeAsync(string stream, string run, params (string Id, long Created)[] records)
    {
        var schema = StreamSchema.For(stream);
        var table = new LakeTable(_console.Services.GetRequiredService<ConsoleLake>().Storage, $"raw/stripe/{stream}", schema, new ParquetFormat());
        await table.MergeAsync(Rows(schema, run, records), run);
    }

    private Task MergeCustomersAsync(string run, params (string Id, long Created, string? Email)[] customers) =>
        MergeCustomersAsync(_console.Services.GetRequiredService<ConsoleLake>().Storage, run, customers);

    internal static async Task MergeCustomersAsync(OpsConsole.Shared.Lake.Storage.ILakeStorage storage, string run, params (string Id, long Created, string? Email)[] customers)
    {
        var schema = StreamSchema.For("customers");
        var transformer = new RecordTransformer(schema, run, DateTimeOffset.UtcNow);
        foreach (var (id, created, email) in customers)
        {
            var record = JsonSerializer.Serialize(new { id, created, email, name = email is null ? null : "Ann Example", phone = email is null ? null : "+15555550100" });
            Assert.True(transformer.Add(JsonDocument.Parse(record).RootElement));
        }
        var table = new LakeTable(storage, "raw/stripe/customers", schema, new ParquetFormat());
        await table.MergeAsync(transformer.Rows, run);
    }

    /// <summary>A file added without rewriting its partition, as another engine's append does.</summary>
    private async Task AppendAsync(string stream, string partition, string name, params (string Id, long Created)[] records)
    {
        var schema = StreamSchema.For(stream);
        var storage = _console.Services.GetRequiredService<ConsoleLake>().Storage;
        var log = new OpsConsole.Shared.Lake.Delta.DeltaLog(storage, $"raw/stripe/{stream}");
        var parquet = OpsConsole.SparkJobs.Transform.Tables.FromRows(schema.Columns, Rows(schema, $"append-{name}", records));
        using var buffer = new MemoryStream();
        await new ParquetFormat().WriteAsync(buffer, parquet);
        var path = $"dt={partition}/part-{name}.parquet";
        await storage.WriteAsync($"raw/stripe/{stream}/{path}", buffer.ToArray());
        var add = new OpsConsole.Shared.Lake.Delta.DeltaAdd(path, new Dictionary<string, string?> { ["dt"] = partition }, buffer.Length, 0, true,
            OpsConsole.Shared.Lake.Delta.DeltaSchema.Stats(parquet));
        var version = (await log.ReadSnapshotAsync()).Version + 1;
        Assert.True(await log.TryCommitAsync(version, [new OpsConsole.Shared.Lake.Delta.DeltaAction { Add = add }], "WRITE"));
    }

    private static IReadOnlyList<object?[]> Rows(StreamSchema schema, string run, (string Id, long Created)[] records)
    {
        var transformer = new RecordTransformer(schema, run, DateTimeOffset.FromUnixTimeSeconds(Start));
        foreach (var (id, created) in records)
        {
            Assert.True(transformer.Add(JsonDocument.Parse($$"""{"id":"{{id}}","created":{{created}},"amount":100}""").RootElement));
        }
        return transformer.Rows;
    }
}

/// <summary>The Tables API with the lake on S3 (s3rver, commits on dynalite): the log, the preview's copies and vacuum go through S3.</summary>
public sealed class TablesOnS3Tests(S3rverServer s3rver, DynaliteServer dynalite) : IClassFixture<S3rverServer>, IClassFixture<DynaliteServer>
{
    private const long Start = 1_790_000_000, Day = 86_400;

    [Fact]
    public async Task SummaryHistoryPreviewAndVacuum_ReadTheS3Lake()
    {
        var lake = s3rver.LakeUri($"tables-{Guid.NewGuid():N}", "lake", dynalite, $"commits-{Guid.NewGuid():N}");
        await OpsConsole.Shared.Lake.Storage.LakeStorages.Factory().InitAsync(lake);
        using var console = FakeJobConsole(new Dictionary<string, string?> { ["Lake:Uri"] = lake });
        var storage = console.Services.GetRequiredService<ConsoleLake>().Storage;
        await TablesApiTests.MergeCustomersAsync(storage, "run-1", ("cus_a", Start, "ann@example.com"), ("cus_b", Start + Day, "bob@example.com"));
        await TablesApiTests.MergeCustomersAsync(storage, "run-2", ("cus_b", Start + Day, "robert@example.com"));
        using var viewer = console.BasicClient("viewer");
        using var admin = console.BasicClient("admin");

        var table = (await viewer.GetFromJsonAsync<List<TableSummary>>("/api/tables", Json))!.Single(t => t.Stream == "customers");
        Assert.Equal((1L, 2L, 2), (table.Version, table.Rows, table.Files));
        Assert.Equal([1L, 0L], (await viewer.GetFromJsonAsync<List<TableCommit>>("/api/tables/stripe/customers/history", Json))!.Select(c => c.Version));
        var preview = await viewer.GetFromJsonAsync<JsonElement>("/api/tables/stripe/customers/preview?version=0");
        Assert.Equal(2, preview.GetProperty("rows").GetArrayLength());
        Assert.DoesNotContain("example.com", preview.GetRawText(), StringComparison.Ordinal);
        var current = await admin.GetFromJsonAsync<JsonElement>("/api/tables/stripe/customers/preview?id=cus_b");
        Assert.Contains("robert@example.com", current.GetRawText(), StringComparison.Ordinal);

        var vacuum = await admin.PostAsJsonAsync("/api/tables/stripe/customers/maintenance", new { action = "vacuum", retainHours = 1 });
        Assert.Equal(HttpStatusCode.OK, vacuum.StatusCode);
        Assert.Equal(0, (await vacuum.Content.ReadFromJsonAsync<MaintenanceOutcome>(Json))!.Files);
    }
}
