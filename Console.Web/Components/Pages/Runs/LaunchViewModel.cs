using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>The launch form: its fields, the error of the field the service refused, and the launched run.</summary>
public sealed class LaunchViewModel(IRunService runs, CallerInfo caller)
{
    public static IReadOnlyList<string> Streams { get; } = StreamCatalog.Names();

    public string Stream { get; set; } = "charges";

    public string Mode { get; set; } = "incremental";

    /// <summary>Optional window start (UTC).</summary>
    public DateTime? From { get; set; }

    /// <summary>Optional window end, exclusive (UTC).</summary>
    public DateTime? To { get; set; }

    public int Workers { get; set; } = 8;

    /// <summary>What the runner offers and gives by default.</summary>
    public LaunchDefaults Defaults { get; } = runs.LaunchDefaults;

    /// <summary><c>on-demand</c> or <c>spot</c>.</summary>
    public string Capacity { get; set; } = runs.LaunchDefaults.Capacity;

    /// <summary>CPU and memory for the run's pod (Kubernetes quantities); empty: the runner's defaults.</summary>
    public string Cpu { get; set; } = "";

    public string Memory { get; set; } = "";

    /// <summary>Executor pods fetching the slices (Kubernetes); 1: the driver fetches them.</summary>
    public int Executors { get; set; } = 1;

    /// <summary>Automatic retries after a retryable failure (<see cref="RetryPolicy"/>); 0: one attempt.</summary>
    public int Retries { get; set; }

    /// <summary>Seconds before the first retry, doubling for each later one.</summary>
    public int RetryBackoffSeconds { get; set; } = RetryPolicy.DefaultBackoffSeconds;

    /// <summary>Errors by field (<c>stream</c>, <c>mode</c>, <c>from</c>, <c>to</c>, <c>workers</c>, or <c>""</c> for the form).</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The stream's active run when the launch was refused because of it.</summary>
    public string? BusyWith { get; private set; }

    public bool Busy { get; private set; }

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    /// <summary>Launches; returns the new run, or null with <see cref="Errors"/> set.</summary>
    public async Task<RunInfo?> LaunchAsync(CancellationToken cancellationToken = default)
    {
        Errors.Clear();
        BusyWith = null;
        Busy = true;
        try
        {
            return await runs.LaunchAsync(new LaunchRequest
            {
                Stream = Stream,
                Mode = Mode,
                From = From is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
                To = To is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
                Workers = Workers,
                Capacity = Capacity,
                Cpu = Defaults.Resources && Cpu.Trim().Length > 0 ? Cpu : null,
                Memory = Defaults.Resources && Memory.Trim().Length > 0 ? Memory : null,
                Executors = Defaults.Resources ? Executors : null,
                Retries = Retries,
                RetryBackoffSeconds = RetryBackoffSeconds,
            }, caller, cancellationToken);
        }
        catch (InvalidFieldException exception)
        {
            Errors[exception.Field] = exception.Message;
        }
        catch (StreamBusyException exception)
        {
            Errors["stream"] = exception.Message;
            BusyWith = exception.ActiveRun;
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
}
