using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Sources.Stripe;
using OpsConsole.SparkJobs.Transform;
using OpsConsole.Shared.Streams;

namespace OpsConsole.SparkJobs;

/// <summary>
/// The job's command line: <c>ingest</c>, <c>plan</c> (what a run would fetch) and <c>verify</c> (the table's
/// invariant). Bad arguments exit 2 with a message naming the argument; credentials come from the environment only.
/// </summary>
public static partial class JobCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var stream = new Option<string>("--stream") { Description = "charges, customers or refunds", Required = true };
        var source = new Option<string>("--source") { Description = "the source system", DefaultValueFactory = _ => StreamCatalog.Stripe };
        var apiBase = new Option<string>("--api-base") { Description = "the source API's base URL", DefaultValueFactory = _ => "https://api.stripe.com" };
        var lake = new Option<string>("--lake") { Description = "the lake: file:PATH or a folder", Required = true };
        var state = new Option<string>("--state") { Description = "the state store: sqlite:PATH or a SQLite file", Required = true };
        var runId = new Option<string>("--run-id") { Description = "this run's id: letters, digits, '.', '_', '-'", Required = true };
        var from = new Option<string?>("--from") { Description = "window start: unix seconds or an ISO 8601 UTC time (default: the checkpoint minus the lookback)" };
        var to = new Option<string?>("--to") { Description = "window end, exclusive (default: now minus the safety lag)" };
        var mode = new Option<string>("--mode") { Description = "incremental or full", DefaultValueFactory = _ => "incremental" };
        var workers = new Option<int>("--workers") { Description = "slices fetched in parallel (1..64)", DefaultValueFactory = _ => 8 };
        var lookback = new Option<long>("--lookback-seconds") { Description = "re-read this much before the checkpoint", DefaultValueFactory = _ => StreamCatalog.LookbackSeconds };
        var safetyLag = new Option<long>("--safety-lag-seconds") { Description = "stop this far behind now", DefaultValueFactory = _ => StreamCatalog.SafetyLagSeconds };
        var sliceSeconds = new Option<long>("--slice-seconds") { Description = "slice length (at least 60)", DefaultValueFactory = _ => 86_400 };
        var maxSlicePages = new Option<int>("--max-slice-pages") { Description = "a slice estimated to need more pages than this is cut into smaller ones (2..10000)", DefaultValueFactory = _ => 40 };
        var requestTimeout = new Option<int>("--request-timeout-seconds") { Description = "abandon and retry a request after this long (1..600)", DefaultValueFactory = _ => 30 };
        var rate = new Option<double>("--requests-per-second") { Description = "request rate for all workers (0: the source's limit for the key)" };
        var rules = new Option<string?>("--rules") { Description = "data-quality rules: a YAML file, a folder holding {stream}.yaml, or 'none' (default: the built-in rules of the stream)" };
        var markdown = new Option<bool>("--markdown") { Description = "print the catalog as the README's Markdown reference" };
        var check = new Option<string?>("--check") { Description = "check a rules file (or folder) for --stream and print its rules, instead of the catalog" };
        var ruleStream = new Option<string?>("--stream") { Description = "the stream a checked rules file is for" };

        var ingest = new Command("ingest", "Fetch a stream's window, merge it into the lake table, advance the checkpoint.")
        {
            stream, source, apiBase, lake, state, runId, from, to, mode, workers, lookback, safetyLag, sliceSeconds, maxSlicePages, requestTimeout, rate, rules,
        };
        var plan = new Command("plan", "Print the window and slices an ingest run would fetch (dry run).")
        {
            stream, source, state, runId, from, to, mode, lookback, safetyLag, sliceSeconds,
        };
        var verify = new Command("verify", "Check the table: rows, distinct ids, files, commit version; exit 5 when an id is not unique.")
        {
            stream, source, lake,
        };
        var catalog = new Command("rules", "Print every data-quality rule type with its parameters, or check a rules file.") { markdown, check, ruleStream };
        var root = new RootCommand("OpsConsole ingestion job") { ingest, plan, verify, catalog };

        catalog.SetAction(async (parse, token) =>
        {
            if (parse.GetValue(check) is not { } file)
            {
                await output.WriteAsync(parse.GetValue(markdown) ? RuleCatalog.Markdown() : RuleCatalog.Text());
                return JobExitCodes.Ok;
            }
            if (parse.GetValue(ruleStream) is not { } requested || StripeStream.Find(requested) is not { } found)
            {
                await error.WriteLineAsync("error: --check needs --stream: charges, customers or refunds.");
                return JobExitCodes.InvalidArguments;
            }
            try
            {
                var name = found.Name;
                var config = QualityConfig.Load(file, StreamSchema.For(name));
                await output.WriteLineAsync($"{config.Origin}: {config.Rules.Count} rules for {name}, all valid.");
                foreach (var rule in config.Rules)
                {
                    await output.WriteLineAsync($"  {rule.Name}: {rule.Type}{(rule.Column is { } c ? $" on {c}" : "")}, {rule.Severity.ToString().ToLowerInvariant()}{(rule.Blocking ? ", blocking" : "")}");
                }
                return JobExitCodes.Ok;
            }
            catch (QualityConfigException exception)
            {
                await error.WriteLineAsync($"error: {exception.Message}");
                return JobExitCodes.InvalidArguments;
            }
        });

        ingest.SetAction(async (parse, token) =>
        {
            if (!TryWindow(parse, from, to, error, out var fromValue, out var toValue) ||
                !TryCommon(parse, stream, runId, mode, error, out var streamValue, out var modeValue) ||
                !Check(parse.GetValue(workers) is >= 1 and <= 64, "--workers must be between 1 and 64.", error) ||
                !Check(parse.GetValue(sliceSeconds) >= 60, "--slice-seconds must be at least 60.", error) ||
                !Check(parse.GetValue(maxSlicePages) is >= 2 and <= 10_000, "--max-slice-pages must be between 2 and 10000.", error) ||
                !Check(parse.GetValue(requestTimeout) is >= 1 and <= 600, "--request-timeout-seconds must be between 1 and 600.", error) ||
                !Check(parse.GetValue(rate) >= 0, "--requests-per-second must not be negative.", error) ||
                !Check(parse.GetValue(lookback) >= 0 && parse.GetValue(safetyLag) >= 0, "--lookback-seconds and --safety-lag-seconds must not be negative.", error) ||
                !Check(Uri.TryCreate(parse.GetValue(apiBase), UriKind.Absolute, out var baseUri) && baseUri.Scheme is "http" or "https",
                    $"--api-base '{parse.GetValue(apiBase)}' is not an http(s) URL.", error) ||
                !TryStore(LakeStorages.Factory(), "--lake", parse.GetValue(lake), local => local, "a writable folder", error) ||
                !TryStore(StateStores.Factory(), "--state", parse.GetValue(state), local => Path.GetDirectoryName(Path.GetFullPath(local))!, "in a writable folder", error))
            {
                return JobExitCodes.InvalidArguments;
            }
            QualityConfig? quality;
            try
            {
                var schema = StreamSchema.For(streamValue!.Name);
                quality = parse.GetValue(rules) switch
                {
                    "none" => null,
                    null => QualityConfig.Defaults(schema),
                    var path => QualityConfig.Load(path, schema),
                };
            }
            catch (QualityConfigException exception)
            {
                await error.WriteLineAsync($"error: {exception.Message}");
                return JobExitCodes.InvalidArguments;
            }
            StripeCredentials credentials;
            try
            {
                credentials = StripeCredentials.FromEnvironment(environment);
            }
            catch (ArgumentException exception)
            {
                await error.WriteLineAsync($"error: {exception.Message}");
                return JobExitCodes.InvalidArguments;
            }
            var options = new IngestOptions
            {
                Source = parse.GetValue(source)!,
                Stream = streamValue!,
                ApiBase = baseUri!,
                Credentials = credentials,
                Lake = parse.GetValue(lake)!,
                State = parse.GetValue(state)!,
                RunId = parse.GetValue(runId)!,
                From = fromValue,
                To = toValue,
                Mode = modeValue,
                Workers = parse.GetValue(workers),
                LookbackSeconds = parse.GetValue(lookback),
                SafetyLagSeconds = parse.GetValue(safetyLag),
                SliceSeconds = parse.GetValue(sliceSeconds),
                MaxSlicePages = parse.GetValue(maxSlicePages),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(requestTimeout)),
                RequestsPerSecond = parse.GetValue(rate),
                Rules = quality,
            };
            return await new IngestJob(options, new JobLog(output)).RunAsync(token);
        });

        plan.SetAction(async (parse, token) =>
        {
            if (!TryWindow(parse, from, to, error, out var fromValue, out var toValue) ||
                !TryCommon(parse, stream, runId, mode, error, out var streamValue, out var modeValue))
            {
                return JobExitCodes.InvalidArguments;
            }
            if (!TryStore(StateStores.Factory(), "--state", parse.GetValue(state), local => Path.GetDirectoryName(Path.GetFullPath(local))!, "in a writable folder", error))
            {
                return JobExitCodes.InvalidArguments;
            }
            var store = StateStores.Open(parse.GetValue(state)!);
            var checkpoint = await store.GetCheckpointAsync(parse.GetValue(source)!, streamValue!.Name, token);
            var end = toValue ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds() - parse.GetValue(safetyLag);
            long? start = fromValue ?? (modeValue == IngestMode.Full || checkpoint?.Cursor is null ? null : checkpoint.Cursor.Value - parse.GetValue(lookback));
            if (start is null)
            {
                // A full sync starts at the oldest object, which only the source can tell (ingest finds it first).
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    stream = streamValue.Name, from = "oldest object", to = end, cursor = checkpoint?.Cursor, checkpoint_version = checkpoint?.Version ?? 0,
                    slice_seconds = parse.GetValue(sliceSeconds),
                }));
                return JobExitCodes.Ok;
            }
            var slices = SlicePlanner.Plan(start.Value, end, parse.GetValue(sliceSeconds));
            // Finished pieces of a slice that was split while fetched count towards it; a slice is done when nothing of it is left.
            var finished = (await store.CompletedSlicesAsync(parse.GetValue(source)!, streamValue.Name, parse.GetValue(runId)!, token)).Select(s => new Slice(s.From, s.To)).ToList();
            bool Done(Slice slice) => SlicePlanner.Remaining([slice], finished).Count == 0;
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                stream = streamValue.Name, from = start, to = end, cursor = checkpoint?.Cursor, checkpoint_version = checkpoint?.Version ?? 0,
                slices = slices.Count, already_done = slices.Count(Done),
            }));
            foreach (var slice in slices)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { from = slice.From, to = slice.To, done = Done(slice) }));
            }
            return JobExitCodes.Ok;
        });

        verify.SetAction(async (parse, token) =>
        {
            var name = parse.GetValue(stream)!;
            if (StripeStream.Find(name) is not { } found)
            {
                await error.WriteLineAsync($"error: --stream '{name}' is not one of {StreamCatalog.NameList()}.");
                return JobExitCodes.InvalidArguments;
            }
            if (!TryStore(LakeStorages.Factory(), "--lake", parse.GetValue(lake), local => local, "a writable folder", error))
            {
                return JobExitCodes.InvalidArguments;
            }
            try
            {
                var table = new LakeTable(LakeStorages.Open(parse.GetValue(lake)!), $"raw/{parse.GetValue(source)}/{found.Name}",
                    StreamSchema.For(found.Name), new ParquetFormat());
                var snapshot = await table.Log.ReadSnapshotAsync(token);
                var ids = (await table.ReadAllAsync(token)).Select(r => (string)r[table.IndexOf("id")]!).ToList();
                var distinct = ids.Distinct(StringComparer.Ordinal).Count();
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    stream = found.Name, version = snapshot.Version, files = snapshot.Files.Count, rows = ids.Count, distinct_ids = distinct,
                    each_id_once = distinct == ids.Count,
                }));
                return distinct == ids.Count ? JobExitCodes.Ok : JobExitCodes.StoreFailed;
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException)
            {
                await error.WriteLineAsync($"error: the table cannot be read: {exception.Message}");
                return JobExitCodes.StoreFailed;
            }
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }
            return JobExitCodes.InvalidArguments;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) },
            cancellationToken);
    }

    private static bool TryCommon(ParseResult parse, Option<string> stream, Option<string> runId, Option<string> mode, TextWriter error,
        out StripeStream? streamValue, out IngestMode modeValue)
    {
        streamValue = StripeStream.Find(parse.GetValue(stream)!);
        modeValue = IngestMode.Incremental;
        return Check(streamValue is not null, $"--stream '{parse.GetValue(stream)}' is not one of {StreamCatalog.NameList()}.", error)
            && Check(RunIdPattern().IsMatch(parse.GetValue(runId)!), $"--run-id '{parse.GetValue(runId)}' must be 1 to 64 letters, digits, '.', '_' or '-'.", error)
            && Check(Enum.TryParse(parse.GetValue(mode), ignoreCase: true, out modeValue) && parse.GetValue(mode) is "incremental" or "full",
                $"--mode '{parse.GetValue(mode)}' is not incremental or full.", error);
    }

    private static bool TryWindow(ParseResult parse, Option<string?> from, Option<string?> to, TextWriter error, out long? fromValue, out long? toValue)
    {
        fromValue = toValue = null;
        if (!TryTime(parse.GetValue(from), "--from", error, out fromValue) || !TryTime(parse.GetValue(to), "--to", error, out toValue))
        {
            return false;
        }
        return Check(fromValue is null || toValue is null || fromValue < toValue, $"--from ({fromValue}) must be before --to ({toValue}).", error);
    }

    private static bool TryTime(string? text, string name, TextWriter error, out long? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            value = seconds;
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            value = time.ToUnixTimeSeconds();
            return true;
        }
        return Check(false, $"{name} '{text}' is neither unix seconds nor an ISO 8601 time (e.g. 2026-11-01T00:00:00Z).", error);
    }

    /// <summary>
    /// Checks a store option at the edge: a URI the factory takes, and for a store on this machine a folder that
    /// can be written (<paramref name="folderOf"/> says which folder the store's path needs).
    /// </summary>
    private static bool TryStore<T>(StoreFactory<T> factory, string option, string? value, Func<string, string> folderOf, string writable, TextWriter error)
    {
        try
        {
            var uri = factory.Parse(value);
            if (uri.Scheme == factory.DefaultScheme)
            {
                var local = uri.LocalPath();
                return Check(Writable(folderOf(local), out var problem), $"{option} '{value}' is not {writable}: {problem}", error);
            }
            return true;
        }
        catch (StoreUriException exception)
        {
            return Check(false, $"{option} {exception.Message}", error);
        }
    }

    private static bool Writable(string folder, out string problem)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            problem = "";
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = exception.Message;
            return false;
        }
    }

    private static bool Check(bool condition, string message, TextWriter error)
    {
        if (!condition)
        {
            error.WriteLine($"error: {message}");
        }
        return condition;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex RunIdPattern();
}
