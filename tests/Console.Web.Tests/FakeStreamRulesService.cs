using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Tests;

/// <summary>A stream's rules in memory: a suggestion the test releases (so its progress can be seen), saves recorded.</summary>
internal sealed class FakeStreamRulesService : IStreamRulesService
{
    public const string Suggested = "# Rules suggested for stripe/charges from its table (version 4, 300 rows)\nrules:\n  # every row has it\n  - type: not_null\n    column: id\n";

    public string? WhyNotSavable { get; set; }

    public Exception? SuggestFails { get; set; }

    public string? SaveRefusal { get; set; }

    /// <summary>Completed by the test to finish a running suggestion; null: suggestions finish at once.</summary>
    public TaskCompletionSource? Release { get; set; }

    public List<(string Stream, string Yaml, string User)> Saves { get; } = [];

    private readonly Dictionary<string, string> _files = [];

    public Task<StreamRules> GetAsync(string source, string stream, CancellationToken cancellationToken = default) => Task.FromResult(Rules(stream));

    public async Task<RuleSuggestion> SuggestAsync(string source, string stream, CallerInfo caller, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (caller.Role < ConsoleRole.Operator)
        {
            throw new UnauthorizedAccessException("Suggesting rules needs the Operator role.");
        }
        progress?.Report("profiled file 1 of 2: 150 rows");
        if (Release is { } release)
        {
            await release.Task.WaitAsync(cancellationToken);
        }
        if (SuggestFails is { } failure)
        {
            throw failure;
        }
        return new RuleSuggestion { Source = source, Stream = stream, Yaml = Suggested, Rules = 1, At = FakeRunService.Now, Seconds = 1.25 };
    }

    public Task<StreamRules> SaveAsync(string source, string stream, string? yaml, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (SaveRefusal is { } refusal)
        {
            throw new InvalidFieldException("yaml", refusal);
        }
        Saves.Add((stream, yaml!, caller.Name));
        _files[stream] = yaml!;
        return Task.FromResult(Rules(stream));
    }

    private StreamRules Rules(string stream) => new()
    {
        Source = "stripe", Stream = stream,
        Origin = _files.ContainsKey(stream) ? $"/data/rules/{stream}.yaml" : $"the built-in {stream} rules",
        BuiltIn = !_files.ContainsKey(stream),
        Text = _files.GetValueOrDefault(stream, "rules:\n  - type: unique\n    column: id\n  - type: row_count_between\n    min: 1\n"),
        Rules = _files.ContainsKey(stream) ? 1 : 2,
        SavePath = WhyNotSavable is null ? $"/data/rules/{stream}.yaml" : null,
        WhyNotSavable = WhyNotSavable,
    };
}
