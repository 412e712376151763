using System.CommandLine;
using System.Text.Json;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Streams;
using OpsConsole.SparkJobs.Cli;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.SparkJobs.Transform;
using static OpsConsole.SparkJobs.Cli.ArgumentChecks;

namespace OpsConsole.SparkJobs;

/// <summary>
/// The job's command line: <c>ingest</c>, <c>execute</c> (an executor of a run whose driver has executors),
/// <c>plan</c> (what a run would fetch), <c>verify</c> (the table's invariant), <c>rules</c>, <c>state init</c>,
/// <c>lake init</c> and <c>table compact|vacuum|clean-log</c>. Bad arguments exit 2 with a message naming the argument, before anything is written;
/// credentials come from the environment only.
/// </summary>
public static class JobCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var o = new JobOptions();
        var ingest = new Command("ingest", "Fetch a stream's window, merge it into the lake table, advance the checkpoint.")
        {
            o.Stream, o.Source, o.ApiBase, o.Lake, o.State, o.RunId, o.From, o.To, o.Mode, o.Workers, o.Lookback, o.SafetyLag, o.SliceSeconds,
            o.MaxSlicePages, o.RequestTimeout, o.Rate, o.Rules, o.Executors, o.SliceLease,
        };
        var execute = new Command("execute", "Fetch slices of a run whose driver (ingest --executors N) queued them, until its queue is finished.")
        {
            o.Stream, o.Source, o.ApiBase, o.Lake, o.State, o.RunId, o.Workers, o.MaxSlicePages, o.RequestTimeout, o.Rate, o.Executors, o.Executor, o.SliceLease,
        };
        var plan = new Command("plan", "Print the window and slices an ingest run would fetch (dry run).")
        {
            o.Stream, o.Source, o.State, o.RunId, o.From, o.To, o.Mode, o.Lookback, o.SafetyLag, o.SliceSeconds,
        };
        var verify = new Command("verify", "Check the table: rows, distinct ids, files, commit version; exit 5 when an id is not unique.") { o.Stream, o.Source, o.Lake };
        var suggest = new Command("suggest", "Profile a stream's table and print a rules file suggested by what it holds (YAML; progress on stderr).")
        {
            o.Stream, o.Source, o.Lake,
        };
        suggest.SetAction((parse, token) => SuggestAsync(parse, o, output, error, token));
        var rules = new Command("rules", "Print every data-quality rule type with its parameters, or check a rules file.") { o.Markdown, o.Check, o.RuleStream, suggest };
        var init = new Command("init", "Create what the state store needs (a DynamoDB table, a SQLite file); idempotent.") { o.State };
        var state = new Command("state", "The state store.") { init };
        var lakeInit = new Command("init", "Create what the lake needs (an S3 bucket and its DynamoDB commit table, a folder); idempotent.") { o.Lake };
        var lake = new Command("lake", "The lake.") { lakeInit };
        ingest.SetAction((parse, token) => IngestAsync(parse, o, output, error, environment, token));
        execute.SetAction((parse, token) => ExecuteAsync(parse, o, output, error, environment, token));
        plan.SetAction((parse, token) => PlanAsync(parse, o, output, error, token));
        verify.SetAction((parse, token) => VerifyAsync(parse, o, output, error, token));
        rules.SetAction((parse, _) => RulesAsync(parse, o, output, error));
        init.SetAction((parse, token) => InitAsync(StateStores.Factory(), parse.GetValue(o.State), TryState, "state", output, error, token));
        lakeInit.SetAction((parse, token) => InitAsync(LakeStorages.Factory(), parse.GetValue(o.Lake), TryLake, "lake", output, error, token));

        var parsed = new RootCommand("OpsConsole ingestion job") { ingest, execute, plan, verify, rules, state, lake, TableCommands.Create(o, output, error) }.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }
            return JobExitCodes.InvalidArguments;
        }
        // Signals are the caller's to turn into the token (Program does, before anything else runs): the parser's own
        // handling starts only once the command has first yielded, after the job may have taken the stream's lease.
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    private static async Task<int> IngestAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error, Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        if (!TryWindow(parse, o, error, out var from, out var to) || !TryCommon(parse, o, error, out var stream, out var mode)
            || !TryLimits(parse, o, error, out var apiBase) || !TryRules(parse.GetValue(o.Rules), stream!, error, out var quality)
            || !TryCredentials(environment, error, out var credentials)
            || !TryLake(parse.GetValue(o.Lake), error) || !TryState(parse.GetValue(o.State), error))
        {
            return JobExitCodes.InvalidArguments;
        }
        var options = Fetching(parse, o, stream!, apiBase!, credentials!) with
        {
            From = from,
            To = to,
            Mode = mode,
            LookbackSeconds = parse.GetValue(o.Lookback),
            SafetyLagSeconds = parse.GetValue(o.SafetyLag),
            SliceSeconds = parse.GetValue(o.SliceSeconds),
            Rules = quality,
            Executors = parse.GetValue(o.Executors),
        };
        return await new IngestJob(options, new JobLog(output)).RunAsync(cancellationToken);
    }

    private static async Task<int> ExecuteAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error, Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        var index = parse.GetValue(o.Executor) ?? (int.TryParse(environment("JOB_COMPLETION_INDEX"), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var completion) ? completion : null);
        if (!TryStreamAndRun(parse, o, error, out var stream) || !TryLimits(parse, o, error, out var apiBase)
            || !Check(index is >= 0, "--executor (or JOB_COMPLETION_INDEX) must name this executor's index, 0 or more.", error)
            || !TryCredentials(environment, error, out var credentials)
            || !TryLake(parse.GetValue(o.Lake), error) || !TryState(parse.GetValue(o.State), error))
        {
            return JobExitCodes.InvalidArguments;
        }
        // The executors share the source's limit for the key: each takes 1/N of it.
        var rate = parse.GetValue(o.Rate) is > 0 and var given ? given : credentials!.IsLive ? 100 : 25;
        var options = Fetching(parse, o, stream!, apiBase!, credentials!) with { RequestsPerSecond = rate / parse.GetValue(o.Executors) };
        return await new ExecuteJob(options, index!.Value, new JobLog(output)).RunAsync(cancellationToken);
    }

    /// <summary>What <c>ingest</c> and <c>execute</c> both take: where to fetch from and write to, and how to fetch.</summary>
    private static IngestOptions Fetching(ParseResult parse, JobOptions o, StripeStream stream, Uri apiBase, StripeCredentials credentials) => new()
    {
        Source = parse.GetValue(o.Source)!,
        Stream = stream,
        ApiBase = apiBase,
        Credentials = credentials,
        Lake = parse.GetValue(o.Lake)!,
        State = parse.GetValue(o.State)!,
        RunId = parse.GetValue(o.RunId)!,
        Workers = parse.GetValue(o.Workers),
        MaxSlicePages = parse.GetValue(o.MaxSlicePages),
        RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(o.RequestTimeout)),
        RequestsPerSecond = parse.GetValue(o.Rate),
        SliceLease = TimeSpan.FromSeconds(parse.GetValue(o.SliceLease)),
    };

    private static async Task<int> PlanAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryWindow(parse, o, error, out var from, out var to) || !TryCommon(parse, o, error, out var stream, out var mode)
            || !TryState(parse.GetValue(o.State), error))
        {
            return JobExitCodes.InvalidArguments;
        }
        try
        {
            return await PrintPlanAsync(parse, o, output, stream!, mode, from, to, cancellationToken);
        }
        catch (Shared.Storage.StoreUnavailableException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }
    }

    private static async Task<int> PrintPlanAsync(ParseResult parse, JobOptions o, TextWriter output, StripeStream stream, IngestMode mode, long? from, long? to,
        CancellationToken cancellationToken)
    {
        var store = StateStores.Open(parse.GetValue(o.State)!);
        var source = parse.GetValue(o.Source)!;
        var checkpoint = await store.GetCheckpointAsync(source, stream.Name, cancellationToken);
        var end = to ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds() - parse.GetValue(o.SafetyLag);
        var start = from ?? (mode == IngestMode.Full || checkpoint?.Cursor is null ? null : checkpoint.Cursor.Value - parse.GetValue(o.Lookback));
        if (start is null)
        {
            // A full sync starts at the oldest object, which only the source can tell (ingest finds it first).
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                stream = stream.Name, from = "oldest object", to = end, cursor = checkpoint?.Cursor, checkpoint_version = checkpoint?.Version ?? 0,
                slice_seconds = parse.GetValue(o.SliceSeconds),
            }));
            return JobExitCodes.Ok;
        }
        var slices = SlicePlanner.Plan(start.Value, end, parse.GetValue(o.SliceSeconds));
        // Finished pieces of a slice that was split while fetched count towards it; a slice is done when nothing of it is left.
        var finished = (await store.CompletedSlicesAsync(source, stream.Name, parse.GetValue(o.RunId)!, cancellationToken)).Select(s => new Slice(s.From, s.To)).ToList();
        bool Done(Slice slice) => SlicePlanner.Remaining([slice], finished).Count == 0;
        await output.WriteLineAsync(JsonSerializer.Serialize(new
        {
            stream = stream.Name, from = start, to = end, cursor = checkpoint?.Cursor, checkpoint_version = checkpoint?.Version ?? 0,
            slices = slices.Count, already_done = slices.Count(Done),
        }));
        foreach (var slice in slices)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { from = slice.From, to = slice.To, done = Done(slice) }));
        }
        return JobExitCodes.Ok;
    }

    private static async Task<int> VerifyAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(o.Stream)!;
        if (!Check(StripeStream.Find(name) is not null, $"--stream '{name}' is not one of {StreamCatalog.NameList()}.", error) || !TryLake(parse.GetValue(o.Lake), error))
        {
            return JobExitCodes.InvalidArguments;
        }
        var stream = StripeStream.Find(name)!;
        try
        {
            var table = new LakeTable(LakeStorages.Open(parse.GetValue(o.Lake)!), LakePaths.Table(parse.GetValue(o.Source)!, stream.Name),
                StreamSchema.For(stream.Name), new ParquetFormat());
            var snapshot = await table.Log.ReadSnapshotAsync(cancellationToken);
            var ids = (await table.ReadAllAsync(cancellationToken)).Select(r => (string)r[table.IndexOf("id")]!).ToList();
            var distinct = ids.Distinct(StringComparer.Ordinal).Count();
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                stream = stream.Name, version = snapshot.Version, files = snapshot.Files.Count, rows = ids.Count, distinct_ids = distinct,
                each_id_once = distinct == ids.Count,
            }));
            return distinct == ids.Count ? JobExitCodes.Ok : JobExitCodes.StoreFailed;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            await error.WriteLineAsync($"error: the table cannot be read: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }
        catch (StoreUriException exception)
        {
            await error.WriteLineAsync($"error: --lake {exception.Message}");
            return JobExitCodes.InvalidArguments;
        }
    }

    private static async Task<int> InitAsync<TStore>(StoreFactory<TStore> factory, string? uri, Func<string?, TextWriter, bool> check, string concern,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!check(uri, error))
        {
            return JobExitCodes.InvalidArguments;
        }
        try
        {
            await factory.InitAsync(uri, cancellationToken);
            await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object> { [concern] = factory.Parse(uri).Scheme, ["ready"] = true }));
            return JobExitCodes.Ok;
        }
        catch (StoreUnavailableException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }
    }

    private static async Task<int> RulesAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error)
    {
        if (parse.GetValue(o.Check) is not { } file)
        {
            await output.WriteAsync(parse.GetValue(o.Markdown) ? RuleCatalog.Markdown() : RuleCatalog.Text());
            return JobExitCodes.Ok;
        }
        if (parse.GetValue(o.RuleStream) is not { } requested || StripeStream.Find(requested) is not { } found)
        {
            await error.WriteLineAsync($"error: --check needs --stream: {StreamCatalog.NameList()}.");
            return JobExitCodes.InvalidArguments;
        }
        if (!TryRules(file, found, error, out var config))
        {
            return JobExitCodes.InvalidArguments;
        }
        await output.WriteLineAsync($"{config!.Origin}: {config.Rules.Count} rules for {found.Name}, all valid.");
        foreach (var rule in config.Rules)
        {
            await output.WriteLineAsync($"  {rule.Name}: {rule.Type}{(rule.Column is { } c ? $" on {c}" : "")}, {rule.Severity.ToString().ToLowerInvariant()}{(rule.Blocking ? ", blocking" : "")}");
        }
        return JobExitCodes.Ok;
    }

    /// <summary>
    /// <c>rules suggest</c>: reads the stream's table a file at a time, profiles it (<see cref="RuleSuggester"/>) and prints
    /// the suggested rules; progress goes to the error stream so the output can be saved as it is.
    /// </summary>
    private static Task<int> SuggestAsync(ParseResult parse, JobOptions o, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (source, name) = (parse.GetValue(o.Source)!, parse.GetValue(o.Stream)!);
        return OnTableAsync(source, name, parse.GetValue(o.Lake), error, async lake =>
        {
            var schema = StreamSchema.For(name);
            var table = new LakeTable(LakeStorages.Open(lake), LakePaths.Table(source, name), schema, new ParquetFormat());
            if (await table.ReadByFileAsync(cancellationToken) is not var (version, files, rows))
            {
                await error.WriteLineAsync($"error: {source}/{name} has no table yet (no run has committed): nothing to profile.");
                return JobExitCodes.InvalidArguments;
            }
            var suggester = new RuleSuggester(schema);
            var read = 0;
            await foreach (var file in rows.WithCancellation(cancellationToken))
            {
                foreach (var row in file)
                {
                    suggester.Observe(row);
                }
                await error.WriteLineAsync($"profiled file {++read} of {files}: {suggester.Rows:N0} rows");
            }
            await output.WriteAsync(await suggester.YamlAsync(source, version, DateTimeOffset.UtcNow, cancellationToken));
            return JobExitCodes.Ok;
        });
    }

    /// <summary>The stream's rules: <c>none</c>, the built-in ones (no value), or a file or folder, checked with the mistake named.</summary>
    private static bool TryRules(string? value, StripeStream stream, TextWriter error, out QualityConfig? config)
    {
        config = null;
        try
        {
            var schema = StreamSchema.For(stream.Name);
            config = value switch
            {
                "none" => null,
                null => QualityConfig.Defaults(schema),
                var path => QualityConfig.Load(path, schema),
            };
            return true;
        }
        catch (QualityConfigException exception)
        {
            return Check(false, exception.Message, error);
        }
    }

    private static bool TryCredentials(Func<string, string?> environment, TextWriter error, out StripeCredentials? credentials)
    {
        credentials = null;
        try
        {
            credentials = StripeCredentials.FromEnvironment(environment);
            return true;
        }
        catch (ArgumentException exception)
        {
            return Check(false, exception.Message, error);
        }
    }
}
