using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Tables;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>
/// An admin's maintenance of one table: compaction (a partition or all, a target size), or vacuum and log cleaning
/// with their retention, each previewed as a dry run first; the stream's name typed to apply.
/// </summary>
public sealed class MaintenanceViewModel(ITableService tables, string source, string stream, MaintenanceAction action, CallerInfo caller)
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public MaintenanceAction Action { get; } = action;

    public string Stream { get; } = stream;

    public double? RetainHours { get; set; } = action == MaintenanceAction.CleanLog ? 720 : 168;

    public string? Partition { get; set; }

    public int? TargetMib { get; set; } = 32;

    public string? Confirm { get; set; }

    /// <summary>What a dry run found (vacuum and log cleaning).</summary>
    public MaintenanceOutcome? Preview { get; private set; }

    public bool Busy { get; private set; }

    /// <summary>The active run that refused the change, to link to.</summary>
    public string? BusyWith { get; private set; }

    public bool Confirmed => string.Equals(Confirm?.Trim(), Stream, StringComparison.Ordinal);

    public bool CanPreview => Action != MaintenanceAction.Compact;

    public string? Error(string field) => _errors.GetValueOrDefault(field);

    public Task PreviewAsync() => SendAsync(apply: false);

    /// <summary>The operation applied, or null when it was refused (the reason is in <see cref="Error"/>).</summary>
    public Task<MaintenanceOutcome?> SubmitAsync() => SendAsync(apply: true);

    private async Task<MaintenanceOutcome?> SendAsync(bool apply)
    {
        _errors.Clear();
        BusyWith = null;
        Busy = true;
        try
        {
            var outcome = await tables.MaintainAsync(source, Stream, new MaintenanceRequest
            {
                Action = Action,
                Apply = apply,
                RetainHours = Action == MaintenanceAction.Compact ? null : RetainHours,
                Partition = Action == MaintenanceAction.Compact && !string.IsNullOrWhiteSpace(Partition) ? Partition.Trim() : null,
                TargetMib = Action == MaintenanceAction.Compact ? TargetMib : null,
                Confirm = apply ? Confirm : null,
            }, caller);
            if (!apply)
            {
                Preview = outcome;
            }
            return outcome;
        }
        catch (InvalidFieldException exception)
        {
            _errors[exception.Field] = exception.Message;
        }
        catch (TableBusyException exception)
        {
            _errors[""] = exception.Message;
            BusyWith = exception.RunId is { Length: > 0 } run && run.StartsWith("run-", StringComparison.Ordinal) ? run : null;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _errors[""] = exception.Message;
        }
        finally
        {
            Busy = false;
        }
        return null;
    }
}
