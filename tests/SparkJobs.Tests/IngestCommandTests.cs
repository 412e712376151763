using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Shared.Lake.Storage.Local;
using OpsConsole.Shared.State.Sqlite;

namespace OpsConsole.SparkJobs.Tests;

/// <summary><c>SparkJobs ingest</c> end to end against a Sandbox on loopback: the table must equal the source.</summary>
public sealed class IngestCommandTests : IAsyncLifetime
{
    private JobSandbox _job = default!;

    private string Lake => _job.Lake;

    private string State => _job.State;

    public async Task InitializeAsync() => _job = await JobSandbox.StartAsync("job", o => (o.Charges, o.Days) = (3000, 20));

    public async Task DisposeAsync() => await _job.DisposeAsync();

    [Fact]
    public async Task Ingest_ThenIncremental_TableEqualsTheSourceIncludingLaterRefunds()
    {
        var (code, output, error) = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-1", "--mode", "full", "--safety-lag-seconds", "0", "--slice-seconds", "172800");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var checkpoint = await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges");
        Assert.Equal(1, checkpoint!.Version);
        await AssertTableEqualsTruthAsync(checkpoint.Cursor!.Value);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines, l => Assert.True(l.TryGetProperty("ts", out _) && l.TryGetProperty("event", out _) && l.TryGetProperty("source", out _)));
        Assert.Contains(lines, l => l.GetProperty("event").GetString() == "slice" && l.GetProperty("source").GetString()!.StartsWith("executor-", StringComparison.Ordinal));
        Assert.Equal("summary", lines[^1].GetProperty("event").GetString());
        Assert.Equal(3000, lines[^1].GetProperty("records").GetInt32());

        // An old charge is refunded and new ones arrive; the next incremental run picks both up.
        var truth = await TruthAsync(checkpoint.Cursor.Value);
        var old = truth.First(t => t.GetProperty("status").GetString() == "succeeded" && t.GetProperty("amount_refunded").GetInt64() == 0).GetProperty("id").GetString();
        (await _job.Admin.PostAsync(new Uri($"/_sandbox/charges/{old}/refund", UriKind.Relative), null)).EnsureSuccessStatusCode();
        (await _job.Admin.PostAsync(new Uri("/_sandbox/charges?count=7", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await Task.Delay(1100);

        (code, output, error) = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-2", "--safety-lag-seconds", "0");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        checkpoint = await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges");
        Assert.Equal(2, checkpoint!.Version);
        var rows = await AssertTableEqualsTruthAsync(checkpoint.Cursor!.Value);
        Assert.True(rows[old!].GetProperty("refunded").GetBoolean());
        var verify = await RunAsync("verify", "--stream", "charges");
        Assert.Equal(0, verify.Code);
        Assert.Contains("\"each_id_once\":true", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_OneSliceTooBigForOneWorker_IsCutIntoPiecesAndTheTableIsExact()
    {
        // 3,000 charges over 20 days in one 20-day slice: about 30 pages, far above --max-slice-pages 4.
        var (code, output, error) = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-split", "--mode", "full",
            "--safety-lag-seconds", "0", "--slice-seconds", $"{21 * 86_400}", "--max-slice-pages", "4");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var splits = lines.Where(l => l.TryGetProperty("split_into", out _)).ToList();
        Assert.NotEmpty(splits);
        var done = lines.Where(l => l.GetProperty("event").GetString() == "slice" && l.TryGetProperty("pages", out _)).ToList();
        Assert.All(done, l => Assert.True(l.GetProperty("pages").GetInt32() <= 8, $"a piece took {l.GetProperty("pages")} pages"));
        Assert.True(done.Count >= 5, $"{done.Count} pieces");
        await AssertTableEqualsTruthAsync((await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges"))!.Cursor!.Value);
    }

    [Fact]
    public async Task Ingest_UnderTheSandboxFaultMix_FinishesWithTheExactTable()
    {
        // Every kind of fault at once, OAuth tokens that expire early, hangs longer than the request timeout.
        using var put = await _job.Admin.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new
        {
            serverErrorRate = 0.04, hangRate = 0.02, hangSeconds = 3, truncateRate = 0.03, malformedRate = 0.03, resetRate = 0.03,
            tokenExpiryRate = 0.05, burst429Rate = 0.01, burst429Length = 3,
        });
        put.EnsureSuccessStatusCode();
        var oauth = new Dictionary<string, string> { ["STRIPE_CLIENT_ID"] = "sandbox-client", ["STRIPE_CLIENT_SECRET"] = "sandbox-secret" };

        var (code, output, error) = await RunAsync(["ingest", "--stream", "charges", "--run-id", "run-faults", "--mode", "full",
            "--safety-lag-seconds", "0", "--slice-seconds", "172800", "--request-timeout-seconds", "1"], oauth);

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var summary = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.True(summary.GetProperty("retries").GetInt32() > 0, "the faults caused retries");
        Assert.DoesNotContain("sandbox-secret", output, StringComparison.Ordinal);
        await AssertTableEqualsTruthAsync((await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges"))!.Cursor!.Value);
    }

    [Fact]
    public async Task Ingest_SameRunAgain_DoesNotCommitTwice()
    {
        Assert.Equal(0, (await RunAsync("ingest", "--stream", "customers", "--run-id", "run-a", "--mode", "full")).Code);

        var again = await RunAsync("ingest", "--stream", "customers", "--run-id", "run-a", "--mode", "full", "--from", "0");

        Assert.Equal(0, again.Code);
        Assert.Contains("was already committed", again.Output, StringComparison.Ordinal);
        Assert.Equal(1, (await new SqliteStateStore(State).GetCheckpointAsync("stripe", "customers"))!.Version);
        Assert.Contains("\"each_id_once\":true", (await RunAsync("verify", "--stream", "customers")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_RerunAfterCrashBetweenCommitAndCheckpoint_CompletesTheCheckpoint()
    {
        // The table holds run-z's commit (window end 1790000000) but the checkpoint never moved: a crash in between.
        var table = new Lake.LakeTable(new LocalLakeStorage(Lake), "raw/stripe/refunds",
            Transform.StreamSchema.Refunds, new Shared.Lake.Parquet.ParquetFormat());
        var transformer = new Transform.RecordTransformer(Transform.StreamSchema.Refunds, "run-z", DateTimeOffset.UtcNow);
        transformer.Add(JsonDocument.Parse("""{"id":"re_1","created":1789990000,"amount":5}""").RootElement);
        await table.MergeAsync(transformer.Rows, "run-z", 1_790_000_000);

        var (code, output, _) = await RunAsync("ingest", "--stream", "refunds", "--run-id", "run-z");

        Assert.Equal(0, code);
        Assert.Contains("already committed", output, StringComparison.Ordinal);
        var checkpoint = await new SqliteStateStore(State).GetCheckpointAsync("stripe", "refunds");
        Assert.Equal(1_790_000_000, checkpoint!.Cursor);
        Assert.Equal("run-z", checkpoint.UpdatedBy);
    }

    [Fact]
    public async Task Plan_AfterACheckpoint_ListsTheSlicesFromTheCursorMinusLookback()
    {
        await new SqliteStateStore(State).WriteCheckpointAsync("stripe", "charges", 1_790_000_000, 0, "run-0", "test");

        var output = new StringWriter();
        var code = await JobCommand.RunAsync(["plan", "--stream", "charges", "--run-id", "run-1", "--state", State,
            "--to", "1790086400", "--slice-seconds", "43200"], output, TextWriter.Null);

        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(1_790_000_000 - 600, lines[0].GetProperty("from").GetInt64());
        Assert.Equal(3, lines[0].GetProperty("slices").GetInt32());
        Assert.Equal(1_790_086_400 - 43_200, lines[1].GetProperty("from").GetInt64());
        Assert.False(Directory.Exists(Lake));
    }

    [Fact]
    public async Task Ingest_ResumedRun_ReusesTheWindowOfItsFirstAttempt()
    {
        using var put = await _job.Admin.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new
        {
            serverErrorRate = 1.0, hangRate = 0.0, truncateRate = 0.0, malformedRate = 0.0, resetRate = 0.0,
            tokenExpiryRate = 0.0, burst429Rate = 0.0, burst429Length = 1, hangSeconds = 1,
        });
        var to = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        Assert.Equal(4, (await RunAsync("ingest", "--stream", "customers", "--run-id", "run-r", "--from", $"{to - 864_000}", "--to", $"{to}", "--workers", "1")).Code);
        using var clear = await _job.Admin.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new
        {
            serverErrorRate = 0.0, hangRate = 0.0, truncateRate = 0.0, malformedRate = 0.0, resetRate = 0.0,
            tokenExpiryRate = 0.0, burst429Rate = 0.0, burst429Length = 1, hangSeconds = 1,
        });

        var (code, output, error) = await RunAsync("ingest", "--stream", "customers", "--run-id", "run-r");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("Resuming run run-r", output, StringComparison.Ordinal);
        Assert.Contains($"created in [{to - 864_000}, {to})", output, StringComparison.Ordinal);
        Assert.Equal(to, (await new SqliteStateStore(State).GetCheckpointAsync("stripe", "customers"))!.Cursor);
    }

    [Fact]
    public async Task Ingest_CheckpointOlderThanTheEventRetention_IsRefusedUntilAFullRefresh()
    {
        await new SqliteStateStore(State).WriteCheckpointAsync("stripe", "charges", DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeSeconds(), 0, "run-0", "test");

        var (code, output, _) = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-late");

        Assert.Equal(2, code);
        Assert.Contains("older than the 30 days", output, StringComparison.Ordinal);
        Assert.Equal(1, (await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges"))!.Version);
    }

    [Fact]
    public async Task Ingest_SourceAlwaysFailing_Exits4AndLeavesTheCheckpoint()
    {
        using var put = await _job.Admin.PutAsJsonAsync(new Uri("/_sandbox/faults", UriKind.Relative), new
        {
            serverErrorRate = 1.0, hangRate = 0.0, truncateRate = 0.0, malformedRate = 0.0, resetRate = 0.0,
            tokenExpiryRate = 0.0, burst429Rate = 0.0, burst429Length = 1, hangSeconds = 1,
        });

        var (code, _, _) = await RunAsync("ingest", "--stream", "refunds", "--run-id", "run-x", "--workers", "2");

        Assert.Equal(4, code);
        Assert.Null(await new SqliteStateStore(State).GetCheckpointAsync("stripe", "refunds"));
    }

    [Fact]
    public async Task Ingest_SigtermAtAnyMomentOfItsStart_ExitsAsCancelledAndLeavesTheLeaseFree()
    {
        // The console cancels a run with SIGTERM, often within a second of its launch. A job that took the stream's lease
        // before it handled SIGTERM was killed by it (exit 143) holding the lease, and the stream's next launch was refused
        // until the lease expired.
        var job = Path.Combine(AppContext.BaseDirectory, "OpsConsole.SparkJobs.dll");
        var state = new SqliteStateStore(State);
        for (var delay = 0; delay <= 600; delay += 40)
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])[job, "ingest", "--stream", "charges", "--mode", "full", "--run-id", $"run-term-{delay}", "--safety-lag-seconds", "0",
                         "--state", State, "--lake", Lake, "--api-base", _job.Sandbox.BaseAddress.ToString()])
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["STRIPE_SECRET_KEY"] = "sk_live_sandbox";
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await Task.Delay(delay);
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync();
            var lines = await output;

            var lease = await state.GetLeaseAsync("stripe", "charges");
            Assert.True(lease is null, $"SIGTERM {delay} ms after the start (exit {process.ExitCode}): the lease is still held by {lease?.Holder}\n{lines}");
            if (lines.Length > 0)
            {
                Assert.True(process.ExitCode is 130 or 0, $"SIGTERM {delay} ms after the start: exit {process.ExitCode} after it had begun\n{lines}");
            }
        }
    }

    [Fact]
    public async Task Ingest_StreamHeld_IsRefusedNamingTheHolder()
    {
        await new SqliteStateStore(State).AcquireLeaseAsync("stripe", "charges", "run-running", TimeSpan.FromMinutes(5));

        var (code, output, _) = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-second");

        Assert.Equal(2, code);
        Assert.Contains("held by run-running", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--stream", "invoices", "--stream 'invoices' is not one of charges, customers, refunds.")]
    [InlineData("--from", "yesterday", "--from 'yesterday' is neither unix seconds nor an ISO 8601 time")]
    [InlineData("--mode", "sometimes", "--mode 'sometimes' is not incremental or full.")]
    [InlineData("--workers", "0", "--workers must be between 1 and 64.")]
    [InlineData("--max-slice-pages", "1", "--max-slice-pages must be between 2 and 10000.")]
    [InlineData("--request-timeout-seconds", "0", "--request-timeout-seconds must be between 1 and 600.")]
    [InlineData("--run-id", "run 1", "--run-id 'run 1' must be 1 to 64 letters")]
    public async Task Ingest_BadArgument_Exits2NamingIt(string name, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--stream"] = "charges", ["--run-id"] = "run-1" };
        args[name] = value;

        var (code, _, error) = await RunAsync(["ingest", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Lake, "raw")));
    }

    [Fact]
    public async Task Ingest_UnwritableLake_Exits2NamingItAndWritesNothing()
    {
        Directory.CreateDirectory(_job.Folder);
        await File.WriteAllTextAsync(Lake, "a file where the lake should be");

        var (code, output, error) = await RunAsync("ingest", "--stream", "charges", "--run-id", "run-1");

        Assert.Equal(2, code);
        Assert.Contains($"--lake '{Lake}' is not a writable folder", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        Assert.False(File.Exists(State));
    }

    [Theory]
    [InlineData("--lake", "s3://bucket/lake", "--lake names no commit coordination: add commitTable=TABLE")]
    [InlineData("--lake", "gs://bucket/lake", "--lake has the scheme 'gs:', which is not a lake (known: file:, s3:).")]
    [InlineData("--state", "postgres://db/opsconsole", "--state has the scheme 'postgres:', which is not a state store (known: dynamodb:, sqlite:).")]
    [InlineData("--state", "dynamodb://x", "--state names the table 'x'")]
    [InlineData("--state", "sqlite:", "--state has no path after 'sqlite:'.")]
    [InlineData("--lake", "file://host/lake", "--lake names the host 'host'")]
    public async Task Ingest_UnusableStoreUri_Exits2NamingTheOptionAndWritesNothing(string option, string value, string message)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] stores = option == "--lake" ? ["--lake", value, "--state", State] : ["--lake", Lake, "--state", value];

        var code = await JobCommand.RunAsync(["ingest", "--stream", "charges", "--run-id", "r", .. stores, "--api-base", _job.Sandbox.BaseAddress.ToString()],
            output, error, name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null);

        Assert.Equal(2, code);
        Assert.Contains($"error: {message}", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(State));
    }

    [Fact]
    public async Task Ingest_StoreUris_RunLikePlainPaths()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await JobCommand.RunAsync(["ingest", "--stream", "charges", "--run-id", "uris", "--mode", "full", "--lake", $"file://{Lake}", "--state", $"sqlite:{State}",
            "--safety-lag-seconds", "0", "--rules", "none", "--api-base", _job.Sandbox.BaseAddress.ToString()],
            output, error, name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null);

        Assert.True(code == 0, $"{error}{output}");
        Assert.NotNull(await new SqliteStateStore(State).GetCheckpointAsync("stripe", "charges"));
        Assert.True(Directory.Exists(Path.Combine(Lake, "raw", "stripe", "charges", "_delta_log")));
    }

    [Fact]
    public async Task Ingest_FromAfterTo_Exits2()
    {
        var (code, _, error) = await RunAsync("ingest", "--stream", "charges", "--run-id", "r", "--from", "2026-11-02T00:00:00Z", "--to", "2026-11-01T00:00:00Z");

        Assert.Equal(2, code);
        Assert.Contains("--from (1793577600) must be before --to (1793491200).", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_NoCredentials_Exits2SayingWhatToSet()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await JobCommand.RunAsync(["ingest", "--stream", "charges", "--run-id", "r", "--lake", Lake, "--state", State,
            "--api-base", _job.Sandbox.BaseAddress.ToString()], output, error, _ => null);

        Assert.Equal(2, code);
        Assert.Contains("STRIPE_SECRET_KEY", error.ToString(), StringComparison.Ordinal);
        // Nothing is written on bad input: not the lake's folder, not the state store.
        Assert.False(Directory.Exists(Lake), "the lake folder was created");
        Assert.False(File.Exists(State), "the state store was created");
    }

    private Task<Dictionary<string, JsonElement>> AssertTableEqualsTruthAsync(long cursor) => ChargesTruth.AssertTableEqualsAsync(_job.Admin, Lake, cursor);

    private Task<List<JsonElement>> TruthAsync(long cursor) => ChargesTruth.ReadAsync(_job.Admin, cursor);

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args.AsEnumerable());

    private async Task<(int Code, string Output, string Error)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var list = args.ToList();
        if (list[0] != "verify")
        {
            list.AddRange(["--state", State, "--api-base", _job.Sandbox.BaseAddress.ToString()]);
        }
        list.AddRange(["--lake", Lake]);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await JobCommand.RunAsync([.. list], output, error,
            environment is null ? name => name == "STRIPE_SECRET_KEY" ? "sk_live_sandbox" : null : name => environment.GetValueOrDefault(name));
        return (code, output.ToString(), error.ToString());
    }
}
