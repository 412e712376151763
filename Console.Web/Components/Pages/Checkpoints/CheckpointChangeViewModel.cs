using System.Globalization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Checkpoints;

/// <summary>
/// The admin's checkpoint change: the action and its value, the preview of what the next run will fetch, the typed
/// stream name and the reason. The version the dialog opened on is what the change expects: if the checkpoint moved
/// meanwhile, nothing is written and the dialog says so.
/// </summary>
public sealed class CheckpointChangeViewModel(ICheckpointService checkpoints, CheckpointStatus status, CallerInfo caller)
{
    public CheckpointStatus Status { get; } = status;

    public CheckpointAction Action { get; set; } = CheckpointAction.Set;

    /// <summary>For Set: the new cursor (UTC).</summary>
    public DateTime? Cursor { get; set; } = status.Cursor is { } cursor ? DateTimeOffset.FromUnixTimeSeconds(cursor).UtcDateTime : null;

    /// <summary>For Restore: the version whose cursor comes back.</summary>
    public long? Version { get; set; }

    public IReadOnlyList<CheckpointVersion> History { get; private set; } = [];

    public string Confirm { get; set; } = "";

    public string Reason { get; set; } = "";

    public CheckpointPreview? Preview { get; private set; }

    /// <summary>Errors by field (<c>action</c>, <c>cursor</c>, <c>version</c>, <c>confirm</c>, <c>reason</c>, or <c>""</c> for the form).</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The run that holds the stream, when the change was refused because of it.</summary>
    public string? BusyWith { get; private set; }

    public bool Busy { get; private set; }

    public bool Confirmed => string.Equals(Confirm.Trim(), Status.Stream, StringComparison.Ordinal);

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        History = await checkpoints.HistoryAsync(Status.Source, Status.Stream, cancellationToken);
        Version = History.Skip(1).FirstOrDefault()?.Version;
        await PreviewAsync(cancellationToken);
    }

    /// <summary>Recomputes what the change would do (after any field changes).</summary>
    public async Task PreviewAsync(CancellationToken cancellationToken = default)
    {
        Errors.Remove("cursor");
        Errors.Remove("version");
        try
        {
            Preview = await checkpoints.PreviewAsync(Status.Source, Status.Stream, Change(), cancellationToken);
        }
        catch (InvalidFieldException exception)
        {
            Preview = null;
            Errors[exception.Field] = exception.Message;
        }
    }

    /// <summary>Writes the change; returns the new checkpoint, or null with <see cref="Errors"/> set.</summary>
    public async Task<Checkpoint?> SubmitAsync(CancellationToken cancellationToken = default)
    {
        Errors.Clear();
        BusyWith = null;
        Busy = true;
        try
        {
            return await checkpoints.ChangeAsync(Status.Source, Status.Stream, Change(), caller, cancellationToken);
        }
        catch (InvalidFieldException exception)
        {
            Errors[exception.Field] = exception.Message;
        }
        catch (CheckpointLockedException exception)
        {
            Errors[""] = exception.Message;
            BusyWith = exception.RunId;
        }
        catch (CheckpointConflictException exception)
        {
            Errors[""] = $"{exception.Message} Close this dialog and open it again to see the current checkpoint.";
        }
        catch (UnauthorizedAccessException exception)
        {
            Errors[""] = exception.Message;
        }
        finally
        {
            Busy = false;
        }
        return null;
    }

    public static string Describe(long? cursor) => cursor is { } c
        ? $"{Format.Time(DateTimeOffset.FromUnixTimeSeconds(c))} UTC ({c.ToString(CultureInfo.InvariantCulture)})"
        : "empty (the next run is a full sync)";

    private CheckpointChange Change() => new()
    {
        Action = Action,
        Cursor = Action == CheckpointAction.Set && Cursor is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
        Version = Action == CheckpointAction.Restore ? Version : null,
        ExpectedVersion = Status.Version,
        Confirm = Confirm,
        Reason = Reason,
    };
}
