using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Shared.Quality;

namespace OpsConsole.Web.Components.Pages.Quality;

/// <summary>Data quality per stream with each rule's trend and band (<see cref="QualityViewModel"/>).</summary>
public sealed partial class QualityPage
{
    [Inject]
    private IQualityService Quality { get; set; } = default!;

    private QualityViewModel Model { get; set; } = default!;

    private ChartAxis TrendAxis => ChartAxis.For(Model.Series.SelectMany(series => series.Values).Select(value => Math.Abs(value ?? 0)).DefaultIfEmpty(0).Max());

    private List<ChartSeries<double>> TrendSeries =>
        [.. Model.Series.Select(series => new ChartSeries<double> { Name = series.Name, Data = series.Values.Select(TrendAxis.Scale).ToArray() })];

    private LineChartOptions TrendOptions => TrendOptionsFor(TrendAxis);

    private LineChartOptions TrendOptionsFor(ChartAxis axis) => new()
    {
        YAxisTicks = axis.Step,
        YAxisToStringFunc = value => QualityRules.Number(axis.Unscale(value)),
        ConnectNullPoints = true,
        ShowDataMarkers = true,
        LineStrokeWidth = 2,
        XAxisLabelInterval = Math.Max(1, (Model.Labels.Length + 7) / 8),
        // Observed in the primary colour; the bounds in one muted colour, as bounds of one band.
        ChartPalette = [.. Model.Series.Select(series => series.Name == "Observed" ? "#2458c6" : "#c5221f")],
    };

    protected override Task OnInitializedAsync()
    {
        Model = new QualityViewModel(Quality);
        return Model.LoadAsync();
    }
}
