using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;
using MudBlazor;

namespace OpsConsole.Web.Components.Pages.Runs;

/// <summary>
/// One run, live: state, progress, throughput, the log, and cancel (two steps: SIGTERM, then the kill after the grace
/// period, with the Cancelling state and the kill time on screen; an admin may force it once the grace period is over).
/// </summary>
public sealed partial class RunDetailPage : IAsyncDisposable
{
    private bool _busy;
    private string? _message;
    private int _tab;

    [Parameter]
    public string Id { get; set; } = "";

    [Inject]
    private IRunService Runs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IQualityService QualityService { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private RunDetailViewModel Model { get; set; } = default!;

    private DateTimeOffset Now => Time.GetUtcNow();

    private static string Usd(double value) => Format.Usd(value);

    /// <summary>Records per second over time, at most 200 points (every n-th of the newest 600), so a redraw stays small.</summary>
    private List<ChartSeries<double>> ThroughputSeries
    {
        get
        {
            var points = Model.Points;
            var step = Math.Max(1, (points.Count + 199) / 200);
            var data = new List<(DateTime, double)>(points.Count / step + 1);
            for (var i = points.Count - 1; i >= 0; i -= step)
            {
                data.Add((points[i].At.UtcDateTime, points[i].RecordsPerSecond));
            }
            data.Reverse();
            return [new ChartSeries<double> { Name = "Records/s", Data = data.ToArray() }];
        }
    }

    private static readonly TimeSpan[] LabelSpacings =
        [.. new[] { 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200 }.Select(seconds => TimeSpan.FromSeconds(seconds))];

    /// <summary>About six time labels over the run so far, on round times.</summary>
    private TimeSeriesChartOptions ThroughputOptions
    {
        get
        {
            var points = Model.Points;
            var span = points.Count > 1 ? points[^1].At - points[0].At : TimeSpan.Zero;
            return new TimeSeriesChartOptions
            {
                TimeLabelFormat = "HH:mm:ss",
                TimeLabelSpacing = LabelSpacings.FirstOrDefault(spacing => spacing * 6 >= span, LabelSpacings[^1]),
                TimeLabelSpacingRounding = true,
                TimeLabelSpacingRoundingPadSeries = false,
                YAxisTicks = ChartAxis.For(points.Select(point => point.RecordsPerSecond).DefaultIfEmpty(0).Max()).Step,
                YAxisToStringFunc = value => Format.Rate(value),
                YAxisRequireZeroPoint = true,
                ShowLegend = false,
                LineStrokeWidth = 2,
                YAxisTitle = "records/s",
            };
        }
    }

    protected override async Task OnInitializedAsync()
    {
        Model = new RunDetailViewModel(Id, Runs, QualityService);
        // The runs list links a quality badge to #quality: open that tab.
        _tab = Navigation.Uri.EndsWith("#quality", StringComparison.Ordinal) ? 1 : 0;
        await Model.StartAsync(() => InvokeAsync(StateHasChanged));
    }

    public async ValueTask DisposeAsync()
    {
        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
    }

    private DateTimeOffset KillAt(RunInfo run) => (run.CancelRequestedAt ?? Now) + Runs.CancelGracePeriod;

    private async Task CancelAsync()
    {
        var grace = Runs.CancelGracePeriod;
        var confirmed = await Dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = $"Cancel run {Id}?",
            Message = $"The job is asked to stop (SIGTERM) and gets {grace.TotalSeconds:0} s to finish what it is doing; after that it is killed. " +
                "Nothing is committed after the last finished step, and the checkpoint does not move.",
            YesText = "Cancel the run",
            CancelText = "Keep it running",
        });
        if (confirmed == true)
        {
            await SendCancelAsync(force: false);
        }
    }

    private async Task ForceCancelAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = $"Force cancel run {Id}?",
            Message = "The job and everything it started are killed at once (SIGKILL). Work in flight is lost; the checkpoint does not move.",
            YesText = "Kill it now",
            CancelText = "Keep waiting",
        });
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
            Model.Replace(await Runs.CancelAsync(Id, force, caller));
            _message = null;
            Snackbar.Add(force ? $"Run {Id} is being killed." : $"Cancel of run {Id} requested: the job was asked to stop.", MudBlazor.Severity.Info);
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
