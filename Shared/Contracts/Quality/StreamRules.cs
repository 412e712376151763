using OpsConsole.Shared.Auth;

namespace OpsConsole.Shared.Quality;

/// <summary>A stream's rules file as its runs load it, and whether the console can save one in its place.</summary>
public sealed record StreamRules
{
    public required string Source { get; init; }

    public required string Stream { get; init; }

    /// <summary>Where the rules come from: a file's path, or "the built-in STREAM rules".</summary>
    public required string Origin { get; init; }

    /// <summary>True when no file is given for the stream and its runs judge the built-in rules.</summary>
    public required bool BuiltIn { get; init; }

    /// <summary>The YAML the runs load.</summary>
    public required string Text { get; init; }

    public required int Rules { get; init; }

    /// <summary>The file a save writes (<c>{folder}/{stream}.yaml</c>), or null when the console cannot save one.</summary>
    public string? SavePath { get; init; }

    /// <summary>Why a save is not possible (a single rules file for every stream, or no rules folder for a runner that does not share this machine).</summary>
    public string? WhyNotSavable { get; init; }
}

/// <summary>Rules suggested from a stream's table (<c>SparkJobs rules suggest</c>), checked like a rules file.</summary>
public sealed record RuleSuggestion
{
    public required string Source { get; init; }

    public required string Stream { get; init; }

    /// <summary>The suggested rules file: each rule under a comment saying what was observed.</summary>
    public required string Yaml { get; init; }

    public required int Rules { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>How long profiling the table took.</summary>
    public required double Seconds { get; init; }
}

/// <summary>
/// The rules behind a stream's runs: read them, suggest rules from the stream's table (Operator and up), and save a
/// stream's rules file (Admin; an audit entry with the file before and after).
/// </summary>
public interface IStreamRulesService
{
    /// <summary>A stream's current rules; <see cref="KeyNotFoundException"/> for a stream that does not exist.</summary>
    Task<StreamRules> GetAsync(string source, string stream, CancellationToken cancellationToken = default);

    /// <summary>
    /// Profiles the stream's table and returns the suggested rules; <paramref name="progress"/> hears each profiled file
    /// ("profiled file 3 of 12: 250,000 rows"). <see cref="RulesConflictException"/> when the stream has no table yet
    /// or another suggestion is running.
    /// </summary>
    Task<RuleSuggestion> SuggestAsync(string source, string stream, CallerInfo caller, IProgress<string>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks <paramref name="yaml"/> as the job would (an <see cref="Validation.InvalidFieldException"/> on <c>yaml</c>
    /// naming the rule and key) and writes it atomically as the stream's rules file.
    /// </summary>
    Task<StreamRules> SaveAsync(string source, string stream, string? yaml, CallerInfo caller, CancellationToken cancellationToken = default);
}

/// <summary>A suggestion or save that the stream's state does not allow now (no table yet, one already running, rules not savable here).</summary>
public sealed class RulesConflictException(string message) : Exception(message);
