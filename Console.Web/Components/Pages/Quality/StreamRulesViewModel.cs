using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Storage;
using OpsConsole.Shared.Streams;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Quality;

/// <summary>
/// A stream's rules file on the Quality page: the current rules, a suggestion profiled from the table (Operator and
/// up) shown next to them, and the draft an admin saves as the stream's rules file.
/// </summary>
public sealed class StreamRulesViewModel(IStreamRulesService rules)
{
    public string? Stream { get; private set; }

    public StreamRules? Current { get; private set; }

    public RuleSuggestion? Suggestion { get; private set; }

    /// <summary>The suggested YAML as an admin edits it before saving.</summary>
    public string Draft { get; set; } = "";

    public bool Suggesting { get; private set; }

    public bool Saving { get; private set; }

    /// <summary>The profile's latest progress line ("profiled file 3 of 12: 250,000 rows").</summary>
    public string? Progress { get; private set; }

    /// <summary>Why the suggestion failed (no table yet, another one running, the lake unreadable).</summary>
    public string? Error { get; private set; }

    /// <summary>Why the draft was not saved (the rule and key a run would name).</summary>
    public string? SaveError { get; private set; }

    public string? Saved { get; private set; }

    public async Task LoadAsync(string stream, CancellationToken cancellationToken = default)
    {
        if (stream == Stream && Current is not null)
        {
            return;
        }
        Stream = stream;
        Discard();
        Error = Saved = null;
        Current = await rules.GetAsync(StreamCatalog.Stripe, stream, cancellationToken);
    }

    /// <summary>Profiles the stream's table; <paramref name="changed"/> is called as progress arrives.</summary>
    public async Task SuggestAsync(CallerInfo caller, Action changed, CancellationToken cancellationToken = default)
    {
        if (Stream is null || Suggesting)
        {
            return;
        }
        Suggesting = true;
        Error = Saved = SaveError = null;
        Progress = "Reading the table…";
        try
        {
            Suggestion = await rules.SuggestAsync(StreamCatalog.Stripe, Stream, caller, new Progress<string>(line =>
            {
                Progress = line;
                changed();
            }), cancellationToken);
            Draft = Suggestion.Yaml;
        }
        catch (Exception exception) when (exception is RulesConflictException or UnauthorizedAccessException or InvalidOperationException or StoreUnavailableException
                                              or KeyNotFoundException)
        {
            Error = exception.Message;
        }
        finally
        {
            Suggesting = false;
            Progress = null;
        }
    }

    /// <summary>Saves the draft as the stream's rules file (Admin); a mistake is named and nothing is written.</summary>
    public async Task SaveAsync(CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (Stream is null || Saving)
        {
            return;
        }
        Saving = true;
        SaveError = null;
        try
        {
            Current = await rules.SaveAsync(StreamCatalog.Stripe, Stream, Draft, caller, cancellationToken);
            Saved = $"Saved {Format.Count(Current.Rules, "rule")} to {Current.Origin}: the next run of {Stream} judges them.";
            Suggestion = null;
            Draft = "";
        }
        catch (Exception exception) when (exception is InvalidFieldException or RulesConflictException or UnauthorizedAccessException or IOException)
        {
            SaveError = exception.Message;
        }
        finally
        {
            Saving = false;
        }
    }

    public void Discard()
    {
        Suggestion = null;
        Draft = "";
        SaveError = null;
    }
}
