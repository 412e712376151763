using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Shared.Costs;

namespace OpsConsole.Web.Components.Pages.Costs;

/// <summary>Cost per day, stream and run, the month's forecast and the budget (<see cref="CostsViewModel"/>).</summary>
public sealed partial class CostsPage
{
    [Inject]
    private ICostService Costs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private CostsViewModel Model { get; set; } = default!;

    protected override Task OnInitializedAsync()
    {
        Model = new CostsViewModel(Costs, Time);
        return Model.LoadAsync(CostsViewModel.Ranges[0].Label, CostsViewModel.Ranges[0].Days);
    }

    private static string Usd(double value) => Format.Usd(value);

    private string[] DayLabels => [.. Model.Summary!.Days.Select(day => day.Day.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture))];

    private ChartAxis DayAxis => ChartAxis.For(Model.Summary!.Days.Select(day => day.Compute + day.Shared).DefaultIfEmpty(0).Max());

    private List<ChartSeries<double>> DaySeries
    {
        get
        {
            var axis = DayAxis;
            return
            [
                new() { Name = "Compute and memory", Data = Model.Summary!.Days.Select(day => axis.Scale(day.Compute)).ToArray() },
                new() { Name = "Shared (control plane, storage, requests)", Data = Model.Summary!.Days.Select(day => axis.Scale(day.Shared)).ToArray() },
            ];
        }
    }

    private StackedBarChartOptions DayOptions => DayOptionsFor(DayAxis);

    private StackedBarChartOptions DayOptionsFor(ChartAxis axis) => new()
    {
        YAxisTicks = axis.Step,
        YAxisToStringFunc = value => Format.Usd(axis.Unscale(value)),
        XAxisLabelInterval = Math.Max(1, (Model.Summary!.Days.Count + 9) / 10),
        ChartPalette = ["#2458c6", "#8ab4f8"],
    };
}
