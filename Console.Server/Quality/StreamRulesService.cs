using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Runners;
using OpsConsole.Server.Runners.Local;
using OpsConsole.Server.Runs;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Jobs;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Streams;
using OpsConsole.Shared.Validation;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.Server.Quality;

/// <summary>
/// A stream's rules file: read, suggested from the table, saved. Suggestions run the job's own <c>rules suggest</c> as a
/// child process (profiling a large table takes a core and a few hundred MiB for a while; the console's memory stays
/// its own, and a closed page kills it); a rules file is checked in process with the job's own parser, so the console
/// accepts exactly what a run would.
/// </summary>
internal sealed class StreamRulesService(RulesLocation location, JobSpecFactory jobs, IOptions<RunnerOptions> runner, IAuditLog audit, TimeProvider time,
    ILogger<StreamRulesService> logger) : IStreamRulesService
{
    /// <summary>The largest rules file the console saves.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>How long a suggestion may profile before it is stopped.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    /// <summary>The stream being profiled; one suggestion runs at a time.</summary>
    private string? _running;

    public Task<StreamRules> GetAsync(string source, string stream, CancellationToken cancellationToken = default)
    {
        var schema = Schema(source, stream);
        var file = location.FileOf(stream);
        var text = file is null ? QualityConfig.DefaultsText(stream) : File.ReadAllText(file);
        int count;
        try
        {
            count = QualityConfig.Parse(text, file ?? QualityConfig.DefaultsOrigin(stream), schema).Rules.Count;
        }
        catch (QualityConfigException exception)
        {
            // The file the runs would refuse: shown as it is, with no rules, and the runs say why.
            logger.LogWarning("The rules of {Source}/{Stream} do not load: {Error}", source, stream, exception.Message);
            count = 0;
        }
        return Task.FromResult(new StreamRules
        {
            Source = source, Stream = stream, Origin = file ?? QualityConfig.DefaultsOrigin(stream), BuiltIn = file is null, Text = text, Rules = count,
            SavePath = location.Folder is { } folder ? Path.Combine(folder, $"{stream}.yaml") : null, WhyNotSavable = location.WhyNotSavable,
        });
    }

    public async Task<RuleSuggestion> SuggestAsync(string source, string stream, CallerInfo caller, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Operator)
        {
            throw new UnauthorizedAccessException("Suggesting rules needs the Operator role.");
        }
        var schema = Schema(source, stream);
        if (Interlocked.CompareExchange(ref _running, $"{source}/{stream}", null) is { } running)
        {
            throw new RulesConflictException($"A rules suggestion for {running} is running: one at a time, as profiling a table takes a core for a while.");
        }
        try
        {
            var started = time.GetTimestamp();
            logger.LogInformation("Suggesting rules for {Source}/{Stream} from its table, asked by {User}", source, stream, caller.Name);
            var yaml = await RunSuggestAsync(source, stream, progress, cancellationToken);
            int count;
            try
            {
                count = QualityConfig.Parse(yaml, "the suggested rules", schema).Rules.Count;
            }
            catch (QualityConfigException exception)
            {
                throw new InvalidOperationException($"The suggested rules do not load: {exception.Message}", exception);
            }
            var seconds = time.GetElapsedTime(started).TotalSeconds;
            logger.LogInformation("Suggested {Count} rules for {Source}/{Stream} in {Seconds:F1} s", count, source, stream, seconds);
            return new RuleSuggestion { Source = source, Stream = stream, Yaml = yaml, Rules = count, At = time.GetUtcNow(), Seconds = seconds };
        }
        finally
        {
            Volatile.Write(ref _running, null);
        }
    }

    public async Task<StreamRules> SaveAsync(string source, string stream, string? yaml, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Admin)
        {
            throw new UnauthorizedAccessException("Saving a stream's rules needs the Admin role.");
        }
        var schema = Schema(source, stream);
        if (string.IsNullOrWhiteSpace(yaml))
        {
            throw new InvalidFieldException("yaml", "is empty: give the rules file's YAML (a rules: list).");
        }
        if (Encoding.UTF8.GetByteCount(yaml) > MaxBytes)
        {
            throw new InvalidFieldException("yaml", $"is larger than {MaxBytes / 1024} KiB.");
        }
        var folder = location.Folder ?? throw new RulesConflictException(location.WhyNotSavable!);
        var path = Path.Combine(folder, $"{stream}.yaml");
        int count;
        try
        {
            count = QualityConfig.Parse(yaml, $"{stream}.yaml", schema).Rules.Count;
        }
        catch (QualityConfigException exception)
        {
            throw new InvalidFieldException("yaml", exception.Message);
        }
        var before = await GetAsync(source, stream, cancellationToken);
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{stream}.yaml.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await file.WriteAsync(Encoding.UTF8.GetBytes(yaml), cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        await audit.AppendAsync(new AuditEntry
        {
            Actor = caller.Name,
            Action = AuditActions.QualityRulesSave,
            Target = path,
            Stream = $"{source}/{stream}",
            Before = JsonSerializer.Serialize(new { origin = before.Origin, builtIn = before.BuiltIn, rules = before.Rules, sha256 = Sha256(before.Text), text = before.Text }, AuditJson),
            After = JsonSerializer.Serialize(new { origin = path, builtIn = false, rules = count, sha256 = Sha256(yaml), text = yaml }, AuditJson),
        }, CancellationToken.None);
        logger.LogInformation("The rules of {Source}/{Stream} were saved to {Path} ({Count} rules) by {User}; the next run judges them", source, stream, path, count,
            caller.Name);
        return await GetAsync(source, stream, cancellationToken);
    }

    /// <summary>Runs <c>rules suggest</c> and returns what it printed; its progress lines go to <paramref name="progress"/>.</summary>
    private async Task<string> RunSuggestAsync(string source, string stream, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (program, prefix) = runner.Value.JobCommand();
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in prefix.Concat(["rules", "suggest", "--source", source, "--stream", stream, "--lake", jobs.LakeUri]))
        {
            start.ArgumentList.Add(argument);
        }
        // The job needs the lake's credentials from this environment, never the console's own settings or the source's key.
        foreach (var name in start.Environment.Keys.Where(LocalJobRunner.IsConsoleSetting).ToList())
        {
            start.Environment.Remove(name);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{program}' did not start.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var errors = new List<string>();
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("error: ", StringComparison.Ordinal))
                {
                    errors.Add(line["error: ".Length..]);
                }
                else
                {
                    progress?.Report(line);
                }
            }
        }, CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(output, error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw new InvalidOperationException($"Profiling {source}/{stream} took longer than {Timeout.TotalMinutes:F0} minutes and was stopped.");
        }
        var why = errors.Count > 0 ? string.Join(" ", errors) : $"the job exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}";
        return process.ExitCode switch
        {
            JobExitCodes.Ok => await output,
            JobExitCodes.InvalidArguments => throw new RulesConflictException(why),
            JobExitCodes.StoreFailed => throw new StoreUnavailableException($"Profiling {source}/{stream} could not read the lake: {why}"),
            _ => throw new InvalidOperationException($"Profiling {source}/{stream} failed: {why}"),
        };
    }

    private static StreamSchema Schema(string source, string stream) =>
        StreamCatalog.Find(source, stream) is null
            ? throw new KeyNotFoundException($"'{InvalidFieldException.Quote($"{source}/{stream}")}' is not a stream: use {StreamCatalog.NameList()}.")
            : StreamSchema.For(stream);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static readonly JsonSerializerOptions AuditJson = new(JsonSerializerDefaults.Web);
}
