using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Streams;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Cli;

/// <summary>
/// Checks of the job's arguments at the edge: each writes <c>error: ...</c> naming the argument and returns false,
/// and none of them writes anything anywhere (a folder that does not exist yet is checked through its parent).
/// </summary>
internal static partial class ArgumentChecks
{
    public static bool TryCommon(ParseResult parse, JobOptions o, TextWriter error, out StripeStream? stream, out IngestMode mode)
    {
        mode = IngestMode.Incremental;
        return TryStreamAndRun(parse, o, error, out stream)
            && Check(Enum.TryParse(parse.GetValue(o.Mode), ignoreCase: true, out mode) && parse.GetValue(o.Mode) is "incremental" or "full",
                $"--mode '{parse.GetValue(o.Mode)}' is not incremental or full.", error);
    }

    public static bool TryStreamAndRun(ParseResult parse, JobOptions o, TextWriter error, out StripeStream? stream)
    {
        stream = StripeStream.Find(parse.GetValue(o.Stream)!);
        return Check(stream is not null, $"--stream '{parse.GetValue(o.Stream)}' is not one of {StreamCatalog.NameList()}.", error)
            && Check(RunIdPattern().IsMatch(parse.GetValue(o.RunId)!), $"--run-id '{parse.GetValue(o.RunId)}' must be 1 to 64 letters, digits, '.', '_' or '-'.", error);
    }

    public static bool TryWindow(ParseResult parse, JobOptions o, TextWriter error, out long? from, out long? to)
    {
        from = to = null;
        if (!TryTime(parse.GetValue(o.From), "--from", error, out from) || !TryTime(parse.GetValue(o.To), "--to", error, out to))
        {
            return false;
        }
        return Check(from is null || to is null || from < to, $"--from ({from}) must be before --to ({to}).", error);
    }

    /// <summary>The numeric limits of <c>ingest</c> and <c>execute</c>, each named (those the command has).</summary>
    public static bool TryLimits(ParseResult parse, JobOptions o, TextWriter error, out Uri? apiBase)
    {
        apiBase = null;
        var options = parse.CommandResult.Command.Options;
        return Check(parse.GetValue(o.Workers) is >= 1 and <= 64, "--workers must be between 1 and 64.", error)
            && Check(!options.Contains(o.SliceSeconds) || parse.GetValue(o.SliceSeconds) >= 60, "--slice-seconds must be at least 60.", error)
            && Check(parse.GetValue(o.MaxSlicePages) is >= 2 and <= 10_000, "--max-slice-pages must be between 2 and 10000.", error)
            && Check(parse.GetValue(o.RequestTimeout) is >= 1 and <= 600, "--request-timeout-seconds must be between 1 and 600.", error)
            && Check(parse.GetValue(o.Rate) >= 0, "--requests-per-second must not be negative.", error)
            && Check(parse.GetValue(o.Executors) is >= 1 and <= 64, "--executors must be between 1 and 64.", error)
            && Check(parse.GetValue(o.SliceLease) is >= 5 and <= 600, "--slice-lease-seconds must be between 5 and 600.", error)
            && Check(parse.GetValue(o.Lookback) >= 0 && parse.GetValue(o.SafetyLag) >= 0, "--lookback-seconds and --safety-lag-seconds must not be negative.", error)
            && Check(Uri.TryCreate(parse.GetValue(o.ApiBase), UriKind.Absolute, out apiBase) && apiBase.Scheme is "http" or "https",
                $"--api-base '{parse.GetValue(o.ApiBase)}' is not an http(s) URL.", error);
    }

    /// <summary>The lake's URI, and for a folder on this machine, one that is (or can become) a writable folder.</summary>
    public static bool TryLake(string? value, TextWriter error) =>
        TryStore(Shared.Lake.Storage.LakeStorages.Factory(), "--lake", value, local => local, "a writable folder", error);

    /// <summary>The state store's URI, and for a SQLite file, one in a writable folder.</summary>
    public static bool TryState(string? value, TextWriter error) =>
        TryStore(Shared.State.StateStores.Factory(), "--state", value, local => Path.GetDirectoryName(Path.GetFullPath(local))!, "in a writable folder", error);

    /// <summary>
    /// A command on one stream's table: checks <c>--stream</c> and <c>--lake</c>, runs <paramref name="action"/> with the
    /// source, the stream and the lake URI, and turns the lake's failures into their exit codes (5, or 2 for a wrong URI).
    /// </summary>
    public static async Task<int> OnTableAsync(string source, string stream, string? lake, TextWriter error, Func<string, Task<int>> action)
    {
        if (!Check(StreamCatalog.Find(source, stream) is not null, $"--stream '{stream}' is not one of {StreamCatalog.NameList(source)}.", error)
            || !TryLake(lake, error))
        {
            return JobExitCodes.InvalidArguments;
        }
        try
        {
            return await action(lake!);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or StoreUnavailableException)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return JobExitCodes.StoreFailed;
        }
        catch (StoreUriException exception)
        {
            await error.WriteLineAsync($"error: --lake {exception.Message}");
            return JobExitCodes.InvalidArguments;
        }
    }

    public static bool Check(bool condition, string message, TextWriter error)
    {
        if (!condition)
        {
            error.WriteLine($"error: {message}");
        }
        return condition;
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
    /// A URI the factory takes, and for a store on this machine, a folder that can be written
    /// (<paramref name="folderOf"/> says which folder the store's path needs).
    /// </summary>
    private static bool TryStore<T>(StoreFactory<T> factory, string option, string? value, Func<string, string> folderOf, string writable, TextWriter error)
    {
        try
        {
            var uri = factory.Parse(value);
            return uri.Scheme != factory.DefaultScheme
                || Check(Writable(folderOf(uri.LocalPath()), out var problem), $"{option} '{value}' is not {writable}: {problem}", error);
        }
        catch (StoreUriException exception)
        {
            return Check(false, $"{option} {exception.Message}", error);
        }
    }

    /// <summary>
    /// Whether <paramref name="folder"/> is a folder this process can write in, or can be made one: checked in the
    /// folder, or in the nearest folder above it that exists (a probe file written and deleted), creating nothing.
    /// </summary>
    private static bool Writable(string folder, out string problem)
    {
        try
        {
            var full = Path.GetFullPath(folder);
            var existing = full;
            while (!Directory.Exists(existing))
            {
                if (File.Exists(existing))
                {
                    problem = $"{existing} is a file.";
                    return false;
                }
                existing = Path.GetDirectoryName(existing) ?? throw new IOException($"No folder above {full} exists.");
            }
            var probe = Path.Combine(existing, $".write-probe-{Guid.NewGuid():N}");
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

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex RunIdPattern();
}
