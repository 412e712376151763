using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using Radzen;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// One run, live: state, progress, throughput, the log, and cancel (two steps: SIGTERM, then the kill after the grace
/// period, with the Cancelling state and the kill time on screen; an admin may force it once the grace period is over).
/// </summary>
public sealed partial class RunDetailPage
{
    private const int MaxChartPoints = 600;

    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _lock = new();
    private List<ThroughputPoint> _points = [];
    private RunInfo? _run;
    private RunInfo? _latest;
    private bool _loaded;
    private bool _busy;
    private string? _message;
    private QualityReport? _quality;
    private int _tab;

    [Parameter]
    public string Id { get; set; } = "";

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IQualityService Quality { get; set; } = default!;

    private static string Usd(double value) => RunText.Usd(value);

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private DialogService Dialogs { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private DateTimeOffset Now => Time.GetUtcNow();

    protected override async Task OnInitializedAsync()
    {
        Runs.Changed += OnChanged;
        _run = await Runs.GetAsync(Id, _disposed.Token);
        _points = [.. (await Runs.ThroughputAsync(Id, _disposed.Token)).TakeLast(MaxChartPoints)];
        _quality = _run?.Quality is null ? null : await Quality.ReportAsync(Id, _disposed.Token);
        // The runs list links a quality badge to #quality: open that tab.
        _tab = Navigation.Uri.EndsWith("#quality", StringComparison.Ordinal) ? 1 : 0;
        _loaded = true;
        if (_run is not null)
        {
            _ = LiveRender.LoopAsync(Time, RenderAsync, _disposed.Token);
        }
    }

    public void Dispose()
    {
        Runs.Changed -= OnChanged;
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private DateTimeOffset KillAt(RunInfo run) => (run.CancelRequestedAt ?? Now) + Runs.CancelGracePeriod;

    private void OnChanged(RunInfo run)
    {
        if (run.Id != Id)
        {
            return;
        }
        lock (_lock)
        {
            _latest = run;
        }
    }

    /// <summary>Applies the newest change (at most ten times a second), and moves an active run's clock every second.</summary>
    private async Task RenderAsync(bool secondPassed)
    {
        RunInfo? latest;
        lock (_lock)
        {
            latest = _latest;
            _latest = null;
        }
        if (latest is not null)
        {
            AddPoint(latest);
            if (latest.Quality is not null && latest.Quality != _run?.Quality)
            {
                _quality = await Quality.ReportAsync(Id, _disposed.Token);
            }
            _run = latest;
            await InvokeAsync(StateHasChanged);
        }
        else if (secondPassed && _run?.State.IsActive() == true)
        {
            await InvokeAsync(StateHasChanged);
        }
    }

    private void AddPoint(RunInfo run)
    {
        if (run.Progress.UpdatedAt is not { } at || (_points.Count > 0 && _points[^1].At >= at) || !run.State.IsActive())
        {
            return;
        }
        var points = new List<ThroughputPoint>(_points.Count + 1);
        points.AddRange(_points.Count >= MaxChartPoints ? _points.Skip(1) : _points);
        points.Add(new ThroughputPoint(at, run.Progress.Records, run.Progress.RecordsPerSecond));
        _points = points;
    }

    private async Task CancelAsync()
    {
        var grace = Runs.CancelGracePeriod;
        var confirmed = await Dialogs.Confirm(
            $"The job is asked to stop (SIGTERM) and gets {grace.TotalSeconds:0} s to finish what it is doing; after that it is killed. " +
            "Nothing is committed after the last finished step, and the checkpoint does not move.",
            $"Cancel run {Id}?", new ConfirmOptions { OkButtonText = "Cancel the run", CancelButtonText = "Keep it running" });
        if (confirmed == true)
        {
            await SendCancelAsync(force: false);
        }
    }

    private async Task ForceCancelAsync()
    {
        var confirmed = await Dialogs.Confirm(
            "The job and everything it started are killed at once (SIGKILL). Work in flight is lost; the checkpoint does not move.",
            $"Force cancel run {Id}?", new ConfirmOptions { OkButtonText = "Kill it now", CancelButtonText = "Keep waiting" });
        if (confirmed == true)
        {
            await SendCancelAsync(force: true);
        }
    }

    private async Task SendCancelAsync(bool force)
    {
        _busy = true;
        try
        {
            var caller = ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!;
            _run = await Runs.CancelAsync(Id, force, caller, _disposed.Token) ?? _run;
            _message = null;
        }
        catch (RunStateConflictException exception)
        {
            _message = exception.Message;
        }
        catch (UnauthorizedAccessException exception)
        {
            _message = exception.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
